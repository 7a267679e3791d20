using Backchannel.Abstractions;
using Backchannel.Domain;
using Backchannel.Protocol;

namespace Backchannel.Tests.Storage.Contract;

/// <summary>The contract of <see cref="IStoreLifecycle"/> and <see cref="IStoreStatistics"/>: opening, readiness, the gauges.</summary>
public abstract class StoreLifecycleContract : StoreContract
{
    private Task<StoreStatistics> StatisticsAsync(DateTimeOffset at) => Stores.Statistics.ReadAsync(at, CancellationToken.None);

    [Fact]
    public async Task Open_is_idempotent_and_keeps_the_data()
    {
        var request = await PendingAsync();

        await Stores.Lifecycle.OpenAsync(CancellationToken.None);
        await Stores.Lifecycle.OpenAsync(CancellationToken.None);

        Assert.NotNull(await Requests.FindAsync(request.Id, CancellationToken.None));
        Assert.True(await Stores.ReplayCache.TryAddAsync("after-open", Now.AddMinutes(1), CancellationToken.None));
    }

    [Fact]
    public async Task Reopening_an_existing_store_keeps_the_data()
    {
        var request = await PendingAsync();

        await ReopenAsync();
        await ReopenAsync();

        Assert.NotNull(await Requests.FindAsync(request.Id, CancellationToken.None));
        await Stores.Lifecycle.PingAsync(CancellationToken.None);
    }

    [Fact]
    public async Task Ping_answers_on_an_open_store()
    {
        await Stores.Lifecycle.PingAsync(CancellationToken.None);
        await Stores.Lifecycle.PingAsync(CancellationToken.None);
    }

    [Fact]
    public void Description_names_the_engine_without_credentials()
    {
        var description = Stores.Lifecycle.Description;

        Assert.False(string.IsNullOrWhiteSpace(description));
        Assert.DoesNotContain("password", description, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Statistics_of_an_empty_store_are_zero()
    {
        Assert.Equal(new StoreStatistics(0, 0, 0, 0), await StatisticsAsync(Now));
    }

    [Fact]
    public async Task Statistics_count_pending_requests_and_the_outbox_backlog_by_kind()
    {
        await PendingAsync();
        await PendingAsync(DeliveryModes.Ping);
        await PendingAsync(createdAt: Now.AddMinutes(-10)); // expired: not pending
        var ping = await PendingAsync(DeliveryModes.Ping);
        await Requests.DecideAsync(StoreData.Approval(ping), Now, r => new DecisionEffects(StoreData.ClientNotification(r, Now), null),
            CancellationToken.None);
        var push = await PendingAsync(DeliveryModes.Push);
        await Requests.DecideAsync(StoreData.Denial(push), Now, r => new DecisionEffects(StoreData.ClientNotification(r, Now), null),
            CancellationToken.None);
        var failedPush = await PendingAsync(DeliveryModes.Push);
        await Requests.FailAsync(failedPush.Id, FailureCause.DeviceUnreachable, Now, r => StoreData.ClientNotification(r, Now),
            CancellationToken.None);

        Assert.Equal(new StoreStatistics(PendingRequests: 2, DeviceNotifications: 6, Pings: 1, Pushes: 2), await StatisticsAsync(Now));

        // The device notifications are delivered; the client notifications wait for another attempt.
        var claimed = await Outbox.ClaimDueAsync("node-a", Now, TimeSpan.FromSeconds(30), 100, CancellationToken.None);
        Assert.Equal(9, claimed.Count);
        Assert.Equal(6, await Outbox.CompleteManyAsync(claimed.Where(m => m.IsDeviceNotification).Select(m => m.Id).ToList(), "node-a",
            CancellationToken.None));
        foreach (var message in claimed.Where(m => !m.IsDeviceNotification))
        {
            Assert.True(await Outbox.RescheduleAsync(message.Id, "node-a", 1, Now.AddSeconds(5), CancellationToken.None));
        }

        Assert.Equal(new StoreStatistics(2, 0, 1, 2), await StatisticsAsync(Now));

        // Later, every request expired.
        Assert.Equal(0, (await StatisticsAsync(Now.AddMinutes(5))).PendingRequests);
    }
}
