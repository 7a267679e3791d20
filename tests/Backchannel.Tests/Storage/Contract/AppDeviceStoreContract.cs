using Backchannel.Abstractions;
using Backchannel.Domain;

namespace Backchannel.Tests.Storage.Contract;

/// <summary>The contract of <see cref="IAppDeviceStore"/>: devices of the app channel, one per key, a bounded number per user.</summary>
public abstract class AppDeviceStoreContract : StoreContract
{
    private IAppDeviceStore Devices => Stores.Devices;

    private static AppDevice Device(string id, string subject = "alice", string? pushToken = "push-1", DateTimeOffset? at = null) => new()
    {
        Id = id,
        Subject = subject,
        Name = "Alice's phone \U0001F4F1",
        PublicKey = $$"""{"crv":"P-256","kty":"EC","x":"x-{{id}}","y":"y-{{id}}"}""",
        PushToken = pushToken,
        CreatedAt = at ?? Now,
        UpdatedAt = at ?? Now,
    };

    private Task<DeviceRegistrationOutcome> RegisterAsync(AppDevice device, int max = 10) =>
        Devices.RegisterAsync(device, max, CancellationToken.None);

    [Fact]
    public async Task A_registered_device_is_found_with_every_field()
    {
        var device = Device("key-1");

        Assert.Equal(DeviceRegistrationOutcome.Registered, await RegisterAsync(device));
        var found = await Devices.FindAsync("key-1", CancellationToken.None);

        Assert.NotNull(found);
        Assert.Equal(device, found);
        Assert.Null(await Devices.FindAsync("key-2", CancellationToken.None));
        Assert.Null(await Devices.FindAsync("KEY-1", CancellationToken.None));
    }

    [Fact]
    public async Task A_device_without_a_push_token_round_trips_a_null_token()
    {
        await RegisterAsync(Device("key-1", pushToken: null));

        Assert.Null((await Devices.FindAsync("key-1", CancellationToken.None))!.PushToken);
    }

    [Fact]
    public async Task Registering_a_key_of_the_same_user_again_replaces_its_name_and_push_token_and_keeps_its_creation_time()
    {
        await RegisterAsync(Device("key-1"));

        var again = Device("key-1", pushToken: "push-2", at: Now.AddHours(1)) with { Name = "Renamed" };
        Assert.Equal(DeviceRegistrationOutcome.Updated, await RegisterAsync(again));

        var found = await Devices.FindAsync("key-1", CancellationToken.None);
        Assert.Equal("Renamed", found!.Name);
        Assert.Equal("push-2", found.PushToken);
        Assert.Equal(Now, found.CreatedAt);
        Assert.Equal(Now.AddHours(1), found.UpdatedAt);
        Assert.Single(await Devices.ListForSubjectAsync("alice", CancellationToken.None));
    }

    [Fact]
    public async Task A_key_of_another_user_is_refused_and_left_as_it_was()
    {
        await RegisterAsync(Device("key-1"));

        Assert.Equal(DeviceRegistrationOutcome.KeyOfAnotherUser, await RegisterAsync(Device("key-1", "mallory", "push-m")));

        var found = await Devices.FindAsync("key-1", CancellationToken.None);
        Assert.Equal("alice", found!.Subject);
        Assert.Equal("push-1", found.PushToken);
        Assert.Empty(await Devices.ListForSubjectAsync("mallory", CancellationToken.None));
    }

    [Fact]
    public async Task A_user_at_the_limit_can_register_no_new_key_but_can_register_a_key_of_theirs_again()
    {
        Assert.Equal(DeviceRegistrationOutcome.Registered, await RegisterAsync(Device("key-1"), max: 2));
        Assert.Equal(DeviceRegistrationOutcome.Registered, await RegisterAsync(Device("key-2"), max: 2));

        Assert.Equal(DeviceRegistrationOutcome.LimitReached, await RegisterAsync(Device("key-3"), max: 2));
        Assert.Equal(DeviceRegistrationOutcome.Updated, await RegisterAsync(Device("key-2", pushToken: "new"), max: 2));
        Assert.Equal(DeviceRegistrationOutcome.Registered, await RegisterAsync(Device("key-3", "bob"), max: 2));

        Assert.Equal("bob", (await Devices.FindAsync("key-3", CancellationToken.None))!.Subject);
        Assert.Equal(2, (await Devices.ListForSubjectAsync("alice", CancellationToken.None)).Count);
    }

    [Fact]
    public async Task Of_concurrent_registrations_of_one_key_by_two_users_one_wins()
    {
        var outcomes = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => RegisterAsync(Device("contested", i % 2 == 0 ? "alice" : "bob"))));

        var owner = (await Devices.FindAsync("contested", CancellationToken.None))!.Subject;
        Assert.Equal(1, outcomes.Count(o => o == DeviceRegistrationOutcome.Registered));
        Assert.Equal(10, outcomes.Count(o => o == DeviceRegistrationOutcome.KeyOfAnotherUser));
        Assert.Equal(9, outcomes.Count(o => o == DeviceRegistrationOutcome.Updated));
        Assert.Empty(await Devices.ListForSubjectAsync(owner == "alice" ? "bob" : "alice", CancellationToken.None));
    }

    [Fact]
    public async Task A_users_devices_are_listed_oldest_first_and_only_theirs()
    {
        await RegisterAsync(Device("key-b", at: Now.AddMinutes(2)));
        await RegisterAsync(Device("key-a", at: Now.AddMinutes(1)));
        await RegisterAsync(Device("key-c", "bob"));

        var listed = await Devices.ListForSubjectAsync("alice", CancellationToken.None);

        Assert.Equal(["key-a", "key-b"], listed.Select(d => d.Id));
        Assert.Empty(await Devices.ListForSubjectAsync("nobody", CancellationToken.None));
    }

    [Fact]
    public async Task A_device_is_removed_by_its_user_or_an_operator_once_and_never_by_another_user()
    {
        await RegisterAsync(Device("key-1"));
        await RegisterAsync(Device("key-2"));

        Assert.False(await Devices.DeleteAsync("key-1", "bob", CancellationToken.None));
        Assert.True(await Devices.DeleteAsync("key-1", "alice", CancellationToken.None));
        Assert.False(await Devices.DeleteAsync("key-1", "alice", CancellationToken.None));
        Assert.True(await Devices.DeleteAsync("key-2", null, CancellationToken.None));
        Assert.False(await Devices.DeleteAsync("key-2", null, CancellationToken.None));

        Assert.Empty(await Devices.ListForSubjectAsync("alice", CancellationToken.None));
    }

    [Fact]
    public async Task Devices_survive_a_reopen()
    {
        var device = Device("key-1");
        await RegisterAsync(device);

        await ReopenAsync();

        Assert.Equal(device, await Devices.FindAsync("key-1", CancellationToken.None));
    }
}
