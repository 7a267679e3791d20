using System.Globalization;
using Backchannel.Abstractions;
using Backchannel.Decisions;
using Backchannel.Delivery;
using Backchannel.Domain;
using Backchannel.Protocol;
using Backchannel.Tests.Storage;
using Backchannel.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;

namespace Backchannel.Tests.Delivery;

/// <summary>The outbox worker over a real SQLite store, with fake senders in place of the HTTP ones.</summary>
public sealed class OutboxWorkerTests : IAsyncLifetime
{
    private const int LeaseSeconds = 30;
    private const string OtherNode = "node-b";
    private static readonly CancellationToken None = CancellationToken.None;

    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private readonly FakeOutboxSender _devices = new(OutboxKind.DeviceNotification);
    private readonly FakeOutboxSender _pings = new(OutboxKind.Ping);
    private readonly FakeOutboxSender _pushes = new(OutboxKind.Push);
    private readonly List<TaskCompletionSource<DeliveryResult>> _gates = [];
    private TestServices? _services;
    private OutboxWorker? _worker;

    private TestServices Services => _services ?? throw new InvalidOperationException("Call StartServicesAsync first.");

    private IOutboxStore Outbox => Services.Get<IOutboxStore>();

    private IAuthenticationRequestStore Requests => Services.Get<IAuthenticationRequestStore>();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var gate in _gates)
        {
            gate.TrySetResult(DeliveryResult.Delivered);
        }

        if (_worker is not null)
        {
            using var timeout = new CancellationTokenSource(Wait.Deadline);
            var stop = _worker.StopAsync(timeout.Token);
            // The worker flushes its completions on the fake clock: move it on until the worker has stopped.
            while (!stop.IsCompleted)
            {
                _time.Advance(TimeSpan.FromMilliseconds(50));
                await Task.Delay(5);
            }

            await stop;
            _worker.Dispose();
        }

        if (_services is not null)
        {
            await _services.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_message_handed_off_is_delivered_once_and_removed()
    {
        await StartAsync();

        var (message, request) = await HandOffDeviceNotificationAsync();

        await Wait.UntilAsync(() => _devices.Sent.Count == 1 && Services.FindOutboxRow(message.Id) is null,
            "the message is delivered and removed", _time);
        var sent = Assert.Single(_devices.Sent);
        Assert.Equal(message.Id, sent.Message.Id);
        Assert.Same(request, sent.Request);

        // Scans after the lease would have ended find nothing to send again.
        await AdvanceAsync(TimeSpan.FromSeconds(LeaseSeconds + 5), TimeSpan.FromSeconds(1));
        Assert.Single(_devices.Sent);
        Assert.Empty(_devices.GivenUp);
        Assert.Equal(0, _worker!.InFlight);
    }

    [Fact]
    public async Task A_retry_later_result_reschedules_the_message_with_one_more_attempt()
    {
        await StartAsync();
        _devices.Behaviour = (work, _) => Task.FromResult(work.Message.Attempts == 0
            ? new DeliveryResult(DeliveryStatus.RetryLater, "HTTP 503")
            : DeliveryResult.Delivered);

        var (message, _) = await HandOffDeviceNotificationAsync();

        await Wait.UntilAsync(() => Services.FindOutboxRow(message.Id) is { Attempts: 1 }, "the message is rescheduled");
        var row = Services.FindOutboxRow(message.Id)!;
        Assert.Null(row.LeaseOwner);
        // The first retry comes after half to all of the initial delay (1 s).
        Assert.InRange(row.NextAttemptAt, _time.GetUtcNow().AddMilliseconds(499), _time.GetUtcNow().AddSeconds(1));
        Assert.Single(_devices.Sent);

        await Wait.UntilAsync(() => _devices.Sent.Count == 2 && Services.FindOutboxRow(message.Id) is null,
            "the retry is delivered and removed", _time, TimeSpan.FromMilliseconds(100));
        var retry = _devices.Sent.Last();
        Assert.Equal(message.Id, retry.Message.Id);
        Assert.Equal(1, retry.Message.Attempts);
        Assert.Equal(Services.NodeId, retry.Message.LeaseOwner);
        Assert.Empty(_devices.GivenUp);
    }

    [Fact]
    public async Task A_rejected_message_is_given_up_once_and_removed()
    {
        await StartAsync();
        _devices.Behaviour = (_, _) => Task.FromResult(new DeliveryResult(DeliveryStatus.Rejected, "HTTP 400"));

        var (message, _) = await HandOffDeviceNotificationAsync();

        await Wait.UntilAsync(() => !_devices.GivenUp.IsEmpty, "the message is given up");
        Assert.Null(Services.FindOutboxRow(message.Id));
        await AdvanceAsync(TimeSpan.FromSeconds(LeaseSeconds + 5), TimeSpan.FromSeconds(1));
        var (work, result) = Assert.Single(_devices.GivenUp);
        Assert.Equal(message.Id, work.Message.Id);
        Assert.Equal(DeliveryStatus.Rejected, result.Status);
        Assert.Equal("HTTP 400", result.Detail);
        Assert.Single(_devices.Sent);
    }

    [Fact]
    public async Task A_message_out_of_attempts_is_given_up_once()
    {
        await StartAsync(("Notifications:MaxAttempts", "2"));
        _devices.Behaviour = (_, _) => Task.FromResult(new DeliveryResult(DeliveryStatus.RetryLater, "timeout"));

        var (message, _) = await HandOffDeviceNotificationAsync();

        await Wait.UntilAsync(() => !_devices.GivenUp.IsEmpty, "the message is given up", _time, TimeSpan.FromMilliseconds(100));
        Assert.Equal(2, _devices.Sent.Count);
        Assert.Null(Services.FindOutboxRow(message.Id));
        var (_, result) = Assert.Single(_devices.GivenUp);
        Assert.Equal(DeliveryStatus.RetryLater, result.Status);
    }

    [Theory]
    [InlineData(DeliveryStatus.Delivered)]
    [InlineData(DeliveryStatus.RetryLater)]
    [InlineData(DeliveryStatus.Rejected)]
    public async Task A_message_another_node_took_meanwhile_is_left_to_that_node(DeliveryStatus status)
    {
        await StartAsync();
        var gate = Gate();
        var (message, _) = await HandOffDeviceNotificationAsync();
        _devices.Behaviour = (work, cancellationToken) => work.Message.Id == message.Id
            ? gate.Task.WaitAsync(cancellationToken)
            : Task.FromResult(DeliveryResult.Delivered);
        await Wait.UntilAsync(() => _devices.Sent.Count == 1, "the delivery starts");

        // This node hangs past its lease (its clock is behind); another node claims the message.
        var claimed = await Outbox.ClaimDueAsync(OtherNode, _time.GetUtcNow().AddSeconds(LeaseSeconds + 1), TimeSpan.FromSeconds(LeaseSeconds), 10, None);
        Assert.Equal(message.Id, Assert.Single(claimed).Id);
        gate.SetResult(new DeliveryResult(status, "late answer"));
        await Wait.UntilAsync(() => _worker!.InFlight == 0, "the delivery ends");

        // A later message is delivered and removed: the worker's completions up to it are written.
        var (control, _) = await HandOffDeviceNotificationAsync();
        await Wait.UntilAsync(() => Services.FindOutboxRow(control.Id) is null, "a later message is delivered and removed", _time);

        var row = Services.FindOutboxRow(message.Id);
        Assert.NotNull(row);
        Assert.Equal(OtherNode, row!.LeaseOwner);
        Assert.Equal(0, row.Attempts);
        Assert.Empty(_devices.GivenUp);
    }

    [Fact]
    public async Task A_hung_destination_delays_neither_other_clients_nor_device_notifications()
    {
        await StartAsync(("Notifications:MaxConcurrentPerDestination", "2"), ("Notifications:MaxConcurrentDeliveries", "4"));
        var gate = Gate();
        const string slow = "slow-client";
        const string fast = "fast-client";
        _pings.Behaviour = (work, cancellationToken) => work.Message.Destination == OutboxMessage.ClientDestination(slow)
            ? gate.Task.WaitAsync(cancellationToken)
            : Task.FromResult(DeliveryResult.Delivered);

        var slowRequests = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            slowRequests.Add(await DenyPingAsync(slow));
        }

        // Two sends to the slow client hang; the other three wait for them.
        await Wait.UntilAsync(() => _pings.SentTo(OutboxMessage.ClientDestination(slow)) == 2, "two sends to the slow client start");

        var fastRequest = await DenyPingAsync(fast);
        var (device, _) = await HandOffDeviceNotificationAsync();

        await Wait.UntilAsync(() => _pings.SentFor(fastRequest) == 1 && ClientMessages(fastRequest) == 0 && Services.FindOutboxRow(device.Id) is null,
            "the other client's ping and the device notification are delivered", _time);
        Assert.Equal(1, _devices.SentFor(device.RequestId));
        Assert.Equal(2, _pings.SentTo(OutboxMessage.ClientDestination(slow)));
        Assert.All(slowRequests, id => Assert.Equal(1, ClientMessages(id)));

        gate.SetResult(DeliveryResult.Delivered);

        await Wait.UntilAsync(() => slowRequests.All(id => _pings.SentFor(id) == 1 && ClientMessages(id) == 0),
            "the slow client's pings are delivered once released", _time);
        Assert.Equal(5, _pings.SentTo(OutboxMessage.ClientDestination(slow)));
        Assert.Equal(2, _pings.MaxConcurrent(OutboxMessage.ClientDestination(slow)));
        Assert.Empty(_pings.GivenUp);
    }

    [Fact]
    public async Task A_message_whose_lease_ran_out_is_claimed_by_the_scan_and_delivered()
    {
        await StartAsync();
        var start = _time.GetUtcNow();
        var message = await StoreDeviceNotificationAsync(OtherNode);

        // While the other node's lease runs, the scans leave the message alone.
        await AdvanceAsync(TimeSpan.FromSeconds(LeaseSeconds - 5), TimeSpan.FromSeconds(1));
        Assert.Empty(_devices.Sent);
        Assert.Equal(OtherNode, Services.FindOutboxRow(message.Id)?.LeaseOwner);

        _time.SetUtcNow(start.AddSeconds(LeaseSeconds + 1));
        await Wait.UntilAsync(() => _devices.SentFor(message.RequestId) == 1 && Services.FindOutboxRow(message.Id) is null,
            "the message is claimed, delivered and removed", _time);
        var sent = Assert.Single(_devices.Sent);
        Assert.Equal(message.Id, sent.Message.Id);
        Assert.Equal(Services.NodeId, sent.Message.LeaseOwner);
    }

    [Fact]
    public async Task A_message_claimed_after_its_request_expired_is_given_up_without_sending()
    {
        await StartAsync();
        var start = _time.GetUtcNow();
        var message = await StoreDeviceNotificationAsync(OtherNode, TimeSpan.FromSeconds(LeaseSeconds / 2));

        _time.SetUtcNow(start.AddSeconds(LeaseSeconds + 1));

        await Wait.UntilAsync(() => !_devices.GivenUp.IsEmpty, "the message is given up", _time);
        Assert.Empty(_devices.Sent);
        Assert.Null(Services.FindOutboxRow(message.Id));
        Assert.Equal(message.Id, Assert.Single(_devices.GivenUp).Work.Message.Id);
    }

    [Fact]
    public async Task On_start_the_worker_releases_its_own_previous_leases_and_sends_those_messages_at_once()
    {
        await StartServicesAsync();
        var start = _time.GetUtcNow();
        var mine = await StoreDeviceNotificationAsync(Services.NodeId);
        var others = await StoreDeviceNotificationAsync(OtherNode);

        _worker = ActivatorUtilities.CreateInstance<OutboxWorker>(Services.Services);
        await _worker.StartAsync(None);

        await Wait.UntilAsync(() => _devices.SentFor(mine.RequestId) == 1 && Services.FindOutboxRow(mine.Id) is null,
            "the message this node held before its restart is delivered", _time);
        Assert.True(_time.GetUtcNow() - start < TimeSpan.FromSeconds(LeaseSeconds), "it was sent before its old lease ran out");
        Assert.Single(_devices.Sent);
        Assert.Equal(0, _devices.SentFor(others.RequestId));
        Assert.Equal(OtherNode, Services.FindOutboxRow(others.Id)?.LeaseOwner);
    }

    private async Task StartAsync(params (string Key, string Value)[] settings)
    {
        await StartServicesAsync(settings);
        await StartWorkerAsync();
    }

    private async Task StartServicesAsync(params (string Key, string Value)[] settings)
    {
        var values = new Dictionary<string, string?>
        {
            ["Notifications:LeaseSeconds"] = LeaseSeconds.ToString(CultureInfo.InvariantCulture),
            ["Notifications:TimeoutSeconds"] = "10",
            ["Notifications:InitialRetryDelaySeconds"] = "1",
            ["Notifications:MaxRetryDelaySeconds"] = "2",
        };
        foreach (var (key, value) in settings)
        {
            values[key] = value;
        }

        _services = await TestServices.StartAsync(values, _time, services =>
        {
            services.RemoveAll<IOutboxMessageSender>();
            services.AddSingleton<IOutboxMessageSender>(_devices);
            services.AddSingleton<IOutboxMessageSender>(_pings);
            services.AddSingleton<IOutboxMessageSender>(_pushes);
        });
    }

    /// <summary>
    /// Starts the worker and waits until it has released this node's old leases and run its first scan: a message this
    /// node held before is delivered. (The worker runs in the background once started; a message handed off before its
    /// release of old leases could lose its lease to it and be sent twice.) What the probe left in the senders is cleared.
    /// </summary>
    private async Task StartWorkerAsync()
    {
        var probe = await StoreDeviceNotificationAsync(Services.NodeId);
        // As the host makes it (the hosted services are not all resolvable without a host: the worker is made alone).
        _worker = ActivatorUtilities.CreateInstance<OutboxWorker>(Services.Services);
        await _worker.StartAsync(None);
        await Wait.UntilAsync(() => _devices.SentFor(probe.RequestId) == 1 && Services.FindOutboxRow(probe.Id) is null,
            "the worker has started", _time);
        _devices.Sent.Clear();
    }

    private TaskCompletionSource<DeliveryResult> Gate()
    {
        var gate = new TaskCompletionSource<DeliveryResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        _gates.Add(gate);
        return gate;
    }

    /// <summary>A new request's device notification, committed with a lease of this node and handed to the worker, as a new request's is.</summary>
    private async Task<(OutboxMessage Message, AuthenticationRequest Request)> HandOffDeviceNotificationAsync()
    {
        var now = _time.GetUtcNow();
        var request = StoreData.Request(now);
        var handOff = Services.Get<IOutboxHandOff>();
        var message = (await Requests.CreateAsync(request, [handOff.Lease(StoreData.DeviceNotification(request, now))], 0, None))![0];
        Assert.Equal(Services.NodeId, message.LeaseOwner);
        handOff.HandOff(message, request);
        return (message, request);
    }

    /// <summary>A device notification in the store only, leased to <paramref name="leaseOwner"/> (a node that stopped, or this one before a restart).</summary>
    private async Task<OutboxMessage> StoreDeviceNotificationAsync(string leaseOwner, TimeSpan? requestLifetime = null)
    {
        var now = _time.GetUtcNow();
        var request = StoreData.Request(now, lifetime: requestLifetime);
        return (await Requests.CreateAsync(request, [StoreData.DeviceNotification(request, now, leaseOwner, TimeSpan.FromSeconds(LeaseSeconds))], 0, None))![0];
    }

    /// <summary>A ping request of <paramref name="clientId"/>, denied: its ping is handed to the worker. Its device notification is not due.</summary>
    private async Task<string> DenyPingAsync(string clientId)
    {
        var now = _time.GetUtcNow();
        var request = StoreData.Request(now, deliveryMode: DeliveryModes.Ping, clientId: clientId);
        await Requests.CreateAsync(request, [StoreData.DeviceNotification(request, now) with { NextAttemptAt = now.AddDays(1) }], 0, None);
        Assert.Equal(DecisionOutcome.Decided, await Services.Get<DecisionService>().DecideAsync(StoreData.Denial(request), None));
        return request.Id;
    }

    private long ClientMessages(string requestId) => Services.Count(
        "SELECT COUNT(*) FROM outbox WHERE request_id = $id AND kind <> $device", ("$id", requestId), ("$device", (int)OutboxKind.DeviceNotification));

    /// <summary>Moves the clock on by <paramref name="total"/> in steps, letting the worker's scans run between them.</summary>
    private async Task AdvanceAsync(TimeSpan total, TimeSpan step)
    {
        for (var moved = TimeSpan.Zero; moved < total; moved += step)
        {
            _time.Advance(step);
            await Task.Delay(10);
        }
    }
}
