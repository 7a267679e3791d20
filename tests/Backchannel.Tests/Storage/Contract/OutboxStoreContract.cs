using Backchannel.Abstractions;
using Backchannel.Domain;
using Backchannel.Protocol;

namespace Backchannel.Tests.Storage.Contract;

/// <summary>
/// The contract of <see cref="IOutboxStore"/>: leases with owners, fencing of former lease holders, attempts, order.
/// Messages enter the outbox the only way the provider puts them there: with a request, a decision or a failure.
/// </summary>
public abstract class OutboxStoreContract : StoreContract
{
    private const string NodeA = "node-a";
    private const string NodeB = "node-b";
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(30);

    /// <summary>Stores a new request whose device notification is due at <paramref name="due"/>, optionally leased (the hand-off).</summary>
    private async Task<OutboxMessage> InsertAsync(DateTimeOffset? due = null, string? leaseOwner = null, TimeSpan? lease = null)
    {
        var request = StoreData.Request(Now);
        var message = StoreData.DeviceNotification(request, Now, leaseOwner, lease) with { NextAttemptAt = due ?? Now };
        var stored = (await Requests.CreateAsync(request, [message], 0, CancellationToken.None))![0];
        Assert.True(stored.Id > 0);
        return stored;
    }

    private Task<IReadOnlyList<OutboxMessage>> ClaimAsync(string owner, DateTimeOffset now, int max = 100, TimeSpan? lease = null) =>
        Outbox.ClaimDueAsync(owner, now, lease ?? Lease, max, CancellationToken.None);

    [Fact]
    public async Task Due_message_is_claimed_with_every_field_and_a_lease_of_its_claimer()
    {
        var request = await PendingAsync(DeliveryModes.Push);
        var decidedAt = Now.AddSeconds(2);
        var push = StoreData.ClientNotification(request, decidedAt, payload: [9, 8, 0, 7]) with { ExpiresAt = Now.AddMinutes(10) };
        var stored = (await Requests.DecideAsync(StoreData.Approval(request), decidedAt, _ => new DecisionEffects(push, null), CancellationToken.None))
            .Notification!;

        var claimed = await ClaimAsync(NodeA, Now.AddSeconds(5));

        var message = Assert.Single(claimed, m => m.Kind == OutboxKind.Push);
        Assert.Equal(stored.Id, message.Id);
        Assert.Equal(request.Id, message.RequestId);
        Assert.Equal(OutboxMessage.ClientDestination("client-a"), message.Destination);
        Assert.Equal(new byte[] { 9, 8, 0, 7 }, message.Payload);
        Assert.Equal(0, message.Attempts);
        Assert.Equal(decidedAt, message.NextAttemptAt);
        Assert.Equal(Now.AddMinutes(10), message.ExpiresAt);
        Assert.Equal(decidedAt, message.CreatedAt);
        Assert.Equal(NodeA, message.LeaseOwner);
        Assert.Equal(Now.AddSeconds(5) + Lease, message.LeaseUntil);

        var device = Assert.Single(claimed, m => m.Kind == OutboxKind.DeviceNotification);
        Assert.Equal(OutboxMessage.DeviceDestination("http"), device.Destination);
        Assert.Null(device.Payload);
    }

    [Fact]
    public async Task Message_not_yet_due_is_not_claimed_before_its_time()
    {
        var message = await InsertAsync(due: Now.AddSeconds(10));

        Assert.Empty(await ClaimAsync(NodeA, Now));
        Assert.Empty(await ClaimAsync(NodeA, Now.AddSeconds(10).AddMilliseconds(-1)));
        Assert.Equal(message.Id, Assert.Single(await ClaimAsync(NodeA, Now.AddSeconds(10))).Id);
    }

    [Fact]
    public async Task Claimed_message_is_not_claimed_again_until_the_lease_ends_then_another_node_takes_it()
    {
        var message = await InsertAsync();
        Assert.Single(await ClaimAsync(NodeA, Now));

        Assert.Empty(await ClaimAsync(NodeB, Now.AddSeconds(29)));
        Assert.Empty(await ClaimAsync(NodeA, Now.AddSeconds(29)));

        var taken = Assert.Single(await ClaimAsync(NodeB, Now + Lease));
        Assert.Equal(message.Id, taken.Id);
        Assert.Equal(NodeB, taken.LeaseOwner);
        Assert.Equal(Now + Lease + Lease, taken.LeaseUntil);
    }

    [Fact]
    public async Task Message_inserted_with_a_lease_is_not_claimed_by_another_node_until_the_lease_ends()
    {
        var message = await InsertAsync(leaseOwner: NodeA, lease: TimeSpan.FromSeconds(20));

        Assert.Empty(await ClaimAsync(NodeB, Now));
        Assert.Empty(await ClaimAsync(NodeB, Now.AddSeconds(19)));

        var taken = Assert.Single(await ClaimAsync(NodeB, Now.AddSeconds(20)));
        Assert.Equal(message.Id, taken.Id);
        Assert.Equal(NodeB, taken.LeaseOwner);

        // The inserter's lease ran out and was taken over: it is fenced off.
        Assert.False(await Outbox.CompleteAsync(message.Id, NodeA, CancellationToken.None));
        Assert.False(await Outbox.RescheduleAsync(message.Id, NodeA, 1, Now.AddMinutes(1), CancellationToken.None));
        Assert.True(await Outbox.CompleteAsync(message.Id, NodeB, CancellationToken.None));
    }

    [Fact]
    public async Task The_inserter_holding_the_lease_completes_the_message_without_claiming_it()
    {
        var message = await InsertAsync(leaseOwner: NodeA);

        Assert.True(await Outbox.CompleteAsync(message.Id, NodeA, CancellationToken.None));

        Assert.Empty(await ClaimAsync(NodeB, Now.AddHours(1)));
    }

    [Fact]
    public async Task A_former_lease_holder_is_fenced_off_once_another_node_claimed_the_message()
    {
        var first = await InsertAsync();
        var second = await InsertAsync();
        Assert.Equal(2, (await ClaimAsync(NodeA, Now)).Count);
        Assert.Equal(2, (await ClaimAsync(NodeB, Now + Lease)).Count);

        Assert.False(await Outbox.CompleteAsync(first.Id, NodeA, CancellationToken.None));
        Assert.Equal(0, await Outbox.CompleteManyAsync([first.Id, second.Id], NodeA, CancellationToken.None));
        Assert.False(await Outbox.RescheduleAsync(first.Id, NodeA, 5, Now.AddMinutes(5), CancellationToken.None));

        // Nothing of what A tried happened: B still holds both, with no attempt recorded.
        Assert.True(await Outbox.RescheduleAsync(first.Id, NodeB, 1, Now + Lease, CancellationToken.None));
        var again = Assert.Single(await ClaimAsync(NodeB, Now + Lease));
        Assert.Equal(first.Id, again.Id);
        Assert.Equal(1, again.Attempts);
        Assert.True(await Outbox.CompleteAsync(second.Id, NodeB, CancellationToken.None));
        Assert.False(await Outbox.CompleteAsync(second.Id, NodeB, CancellationToken.None));
    }

    [Fact]
    public async Task A_node_that_never_held_the_lease_cannot_complete_or_reschedule()
    {
        var message = await InsertAsync();
        Assert.Single(await ClaimAsync(NodeA, Now));

        Assert.False(await Outbox.CompleteAsync(message.Id, NodeB, CancellationToken.None));
        Assert.Equal(0, await Outbox.CompleteManyAsync([message.Id], NodeB, CancellationToken.None));
        Assert.False(await Outbox.RescheduleAsync(message.Id, NodeB, 1, Now, CancellationToken.None));

        Assert.True(await Outbox.CompleteAsync(message.Id, NodeA, CancellationToken.None));
    }

    [Fact]
    public async Task Unleased_message_cannot_be_completed_or_rescheduled()
    {
        var message = await InsertAsync();

        Assert.False(await Outbox.CompleteAsync(message.Id, NodeA, CancellationToken.None));
        Assert.False(await Outbox.RescheduleAsync(message.Id, NodeA, 1, Now.AddMinutes(1), CancellationToken.None));

        Assert.Equal(message.Id, Assert.Single(await ClaimAsync(NodeB, Now)).Id);
    }

    [Fact]
    public async Task Complete_removes_the_message_once()
    {
        var done = await InsertAsync();
        var other = await InsertAsync();
        Assert.Equal(2, (await ClaimAsync(NodeA, Now)).Count);

        Assert.True(await Outbox.CompleteAsync(done.Id, NodeA, CancellationToken.None));
        Assert.False(await Outbox.CompleteAsync(done.Id, NodeA, CancellationToken.None));
        Assert.False(await Outbox.CompleteAsync(12345678, NodeA, CancellationToken.None));

        Assert.Equal(other.Id, Assert.Single(await ClaimAsync(NodeB, Now + Lease)).Id);
    }

    [Fact]
    public async Task Complete_many_removes_the_messages_whose_lease_the_owner_holds()
    {
        var first = await InsertAsync(due: Now.AddSeconds(-4));
        var second = await InsertAsync(due: Now.AddSeconds(-3));
        var kept = await InsertAsync(due: Now.AddSeconds(-2));
        var others = await InsertAsync(due: Now.AddSeconds(-1));
        Assert.Equal([first.Id, second.Id, kept.Id], (await ClaimAsync(NodeA, Now, max: 3)).Select(m => m.Id));
        Assert.Equal(others.Id, Assert.Single(await ClaimAsync(NodeB, Now)).Id);

        Assert.Equal(2, await Outbox.CompleteManyAsync([first.Id, second.Id, others.Id], NodeA, CancellationToken.None));
        Assert.Equal(0, await Outbox.CompleteManyAsync([first.Id, second.Id], NodeA, CancellationToken.None));
        Assert.Equal(0, await Outbox.CompleteManyAsync([], NodeA, CancellationToken.None));

        var left = await ClaimAsync("node-c", Now + Lease);
        Assert.Equal(new[] { kept.Id, others.Id }.Order(), left.Select(m => m.Id).Order());
    }

    [Fact]
    public async Task Reschedule_counts_the_attempt_moves_the_message_and_releases_the_lease()
    {
        var message = await InsertAsync();
        Assert.Single(await ClaimAsync(NodeA, Now));

        Assert.True(await Outbox.RescheduleAsync(message.Id, NodeA, 3, Now.AddSeconds(8), CancellationToken.None));

        // Released: the former holder no longer holds it.
        Assert.False(await Outbox.CompleteAsync(message.Id, NodeA, CancellationToken.None));
        Assert.Empty(await ClaimAsync(NodeB, Now.AddSeconds(7)));
        // Due again at 8 s, well before A's lease would have ended: the lease was released.
        var again = Assert.Single(await ClaimAsync(NodeB, Now.AddSeconds(8)));
        Assert.Equal(message.Id, again.Id);
        Assert.Equal(3, again.Attempts);
        Assert.Equal(Now.AddSeconds(8), again.NextAttemptAt);
        Assert.Equal(NodeB, again.LeaseOwner);

        Assert.True(await Outbox.RescheduleAsync(message.Id, NodeB, 4, Now.AddSeconds(20), CancellationToken.None));
        Assert.Equal(4, Assert.Single(await ClaimAsync(NodeA, Now.AddSeconds(20))).Attempts);
    }

    [Fact]
    public async Task Release_leases_frees_only_that_owners_leases()
    {
        var ofA = await InsertAsync();
        Assert.Single(await ClaimAsync(NodeA, Now, max: 1));
        var ofB = await InsertAsync();
        Assert.Equal(ofB.Id, Assert.Single(await ClaimAsync(NodeB, Now)).Id);
        var handedOff = await InsertAsync(leaseOwner: NodeA);

        Assert.Equal(2, await Outbox.ReleaseLeasesAsync(NodeA, CancellationToken.None));
        Assert.Equal(0, await Outbox.ReleaseLeasesAsync(NodeA, CancellationToken.None));

        var taken = await ClaimAsync("node-c", Now.AddSeconds(1));
        Assert.Equal(new[] { ofA.Id, handedOff.Id }.Order(), taken.Select(m => m.Id).Order());
        Assert.True(await Outbox.CompleteAsync(ofB.Id, NodeB, CancellationToken.None));
    }

    [Fact]
    public async Task A_released_owner_can_claim_its_messages_again_at_once()
    {
        // The embedded store's restarted process: same node identity, takes back what it held.
        var message = await InsertAsync(leaseOwner: "sqlite");
        await ReopenAsync();

        Assert.Empty(await ClaimAsync("sqlite", Now));
        Assert.Equal(1, await Outbox.ReleaseLeasesAsync("sqlite", CancellationToken.None));
        Assert.Equal(message.Id, Assert.Single(await ClaimAsync("sqlite", Now)).Id);
    }

    [Fact]
    public async Task Leases_survive_a_reopen()
    {
        var message = await InsertAsync();
        Assert.Single(await ClaimAsync(NodeA, Now));

        await ReopenAsync();

        Assert.Empty(await ClaimAsync(NodeB, Now.AddSeconds(1)));
        Assert.True(await Outbox.CompleteAsync(message.Id, NodeA, CancellationToken.None));
    }

    [Fact]
    public async Task Claims_take_at_most_max_in_the_order_of_the_next_attempt()
    {
        var late = await InsertAsync(due: Now.AddSeconds(-1));
        var earliest = await InsertAsync(due: Now.AddSeconds(-3));
        var middle = await InsertAsync(due: Now.AddSeconds(-2));

        var first = await ClaimAsync(NodeA, Now, max: 2);
        var rest = await ClaimAsync(NodeA, Now, max: 2);

        Assert.Equal([earliest.Id, middle.Id], first.Select(m => m.Id));
        Assert.Equal([late.Id], rest.Select(m => m.Id));
    }

    [Fact]
    public async Task Concurrent_claims_never_hand_out_a_message_twice()
    {
        for (var i = 0; i < 40; i++)
        {
            await InsertAsync();
        }

        var batches = await Task.WhenAll(Enumerable.Range(0, 10).Select(i => Task.Run(() => ClaimAsync($"node-{i}", Now, max: 7))));

        var ids = batches.SelectMany(b => b).Select(m => m.Id).ToList();
        Assert.Equal(40, ids.Count);
        Assert.Equal(40, ids.Distinct().Count());
        for (var i = 0; i < batches.Length; i++)
        {
            Assert.All(batches[i], m => Assert.Equal($"node-{i}", m.LeaseOwner));
        }
    }

    [Fact]
    public async Task The_id_of_a_completed_message_is_never_given_to_a_new_one()
    {
        // The worker tracks messages in flight by id: a reused id would make it skip the new message.
        var first = await InsertAsync(leaseOwner: NodeA);
        Assert.True(await Outbox.CompleteAsync(first.Id, NodeA, CancellationToken.None));

        var second = await InsertAsync(leaseOwner: NodeA);
        Assert.True(second.Id > first.Id, $"id {first.Id} was given again");
        Assert.True(await Outbox.CompleteAsync(second.Id, NodeA, CancellationToken.None));

        await ReopenAsync();

        var third = await InsertAsync();
        Assert.True(third.Id > second.Id, $"id {second.Id} was given again after a reopen");
    }
}
