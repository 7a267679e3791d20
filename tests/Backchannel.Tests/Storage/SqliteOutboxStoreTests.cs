using Backchannel.Storage;
using Backchannel.Storage.Sqlite;

namespace Backchannel.Tests;

public sealed class SqliteOutboxStoreTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2030, 1, 2, 3, 4, 5, 678, TimeSpan.Zero);
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(30);

    private readonly TempDatabase _temp = new();
    private readonly SqliteOutboxStore _store;

    public SqliteOutboxStoreTests() => _store = new SqliteOutboxStore(_temp.Database);

    public void Dispose() => _temp.Dispose();

    private static OutboxMessage Message(string requestId, DateTimeOffset due, OutboxKind kind = OutboxKind.Ping, byte[]? payload = null) => new()
    {
        RequestId = requestId,
        Kind = kind,
        Payload = payload,
        NextAttemptAt = due,
        ExpiresAt = Now.AddMinutes(10),
        CreatedAt = Now,
    };

    /// <summary>Inserts without a lease, as a message the periodic scan should pick up.</summary>
    private Task<OutboxMessage> InsertUnleasedAsync(OutboxMessage message) =>
        _temp.Database.WriteAsync(session => SqliteOutboxStore.Insert(session, message, leaseUntil: DateTimeOffset.UnixEpoch));

    [Fact]
    public async Task Due_message_is_claimed_with_every_field()
    {
        var inserted = await InsertUnleasedAsync(Message("txn-1", Now, OutboxKind.Push, payload: [9, 8, 7]));

        var claimed = Assert.Single(await _store.ClaimDueAsync(Now, Lease, 10, default));

        Assert.Equal(inserted.Id, claimed.Id);
        Assert.Equal("txn-1", claimed.RequestId);
        Assert.Equal(OutboxKind.Push, claimed.Kind);
        Assert.Equal(new byte[] { 9, 8, 7 }, claimed.Payload);
        Assert.Equal(0, claimed.Attempts);
        Assert.Equal(Now, claimed.NextAttemptAt);
        Assert.Equal(Now.AddMinutes(10), claimed.ExpiresAt);
        Assert.Equal(Now, claimed.CreatedAt);
    }

    [Fact]
    public async Task The_id_of_a_completed_message_is_never_given_to_a_new_one()
    {
        // The worker tracks messages in flight by id: a reused id would make it skip the new message.
        var first = await InsertUnleasedAsync(Message("txn-1", Now));
        await _store.CompleteAsync(first.Id, default);

        var second = await InsertUnleasedAsync(Message("txn-2", Now));

        Assert.True(second.Id > first.Id, $"id {first.Id} was given again");
    }

    [Fact]
    public async Task Delivered_messages_are_removed_together()
    {
        var first = await InsertUnleasedAsync(Message("txn-1", Now));
        var second = await InsertUnleasedAsync(Message("txn-2", Now));
        var kept = await InsertUnleasedAsync(Message("txn-3", Now));

        await _store.CompleteManyAsync([first.Id, second.Id], default);

        var left = Assert.Single(await _store.ClaimDueAsync(Now, Lease, 10, default));
        Assert.Equal(kept.Id, left.Id);
    }

    [Fact]
    public async Task Message_not_yet_due_is_not_claimed()
    {
        await InsertUnleasedAsync(Message("txn-1", Now.AddSeconds(1)));

        Assert.Empty(await _store.ClaimDueAsync(Now, Lease, 10, default));
    }

    [Fact]
    public async Task Claimed_message_is_leased_until_the_lease_ends()
    {
        await InsertUnleasedAsync(Message("txn-1", Now));
        Assert.Single(await _store.ClaimDueAsync(Now, Lease, 10, default));

        Assert.Empty(await _store.ClaimDueAsync(Now.AddSeconds(29), Lease, 10, default));
        Assert.Single(await _store.ClaimDueAsync(Now.AddSeconds(30), Lease, 10, default));
    }

    [Fact]
    public async Task Claim_takes_at_most_max_in_due_order()
    {
        await InsertUnleasedAsync(Message("late", Now.AddSeconds(-1)));
        await InsertUnleasedAsync(Message("earliest", Now.AddSeconds(-3)));
        await InsertUnleasedAsync(Message("middle", Now.AddSeconds(-2)));

        var first = await _store.ClaimDueAsync(Now, Lease, 2, default);
        var rest = await _store.ClaimDueAsync(Now, Lease, 2, default);

        Assert.Equal(["earliest", "middle"], first.Select(m => m.RequestId));
        Assert.Equal(["late"], rest.Select(m => m.RequestId));
    }

    [Fact]
    public async Task Concurrent_claims_never_hand_out_a_message_twice()
    {
        for (var i = 0; i < 40; i++)
        {
            await InsertUnleasedAsync(Message($"txn-{i}", Now));
        }

        var batches = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => Task.Run(() => _store.ClaimDueAsync(Now, Lease, 7, default))));

        var ids = batches.SelectMany(b => b).Select(m => m.Id).ToList();
        Assert.Equal(40, ids.Count);
        Assert.Equal(40, ids.Distinct().Count());
    }

    [Fact]
    public async Task Message_inserted_with_a_request_is_leased_to_its_inserter_until_released()
    {
        var store = new SqliteAuthenticationRequestStore(_temp.Database);
        var request = TempDatabase.Request(Now);
        await store.CreateAsync(request, TempDatabase.DeviceNotification(request, Now), default);

        Assert.Empty(await _store.ClaimDueAsync(Now, Lease, 10, default));
        Assert.Equal(Now.AddMilliseconds(SqliteOutboxStore.LeaseOnInsert), await _store.NextDueAsync(default));

        await _store.ReleaseLeasesAsync(default);

        Assert.Equal(Now, await _store.NextDueAsync(default));
        var claimed = Assert.Single(await _store.ClaimDueAsync(Now, Lease, 10, default));
        Assert.Equal(request.Id, claimed.RequestId);
        Assert.Equal(OutboxKind.DeviceNotification, claimed.Kind);
    }

    [Fact]
    public async Task Release_leases_frees_claimed_messages()
    {
        await InsertUnleasedAsync(Message("txn-1", Now));
        Assert.Single(await _store.ClaimDueAsync(Now, Lease, 10, default));

        await _store.ReleaseLeasesAsync(default);

        Assert.Single(await _store.ClaimDueAsync(Now, Lease, 10, default));
    }

    [Fact]
    public async Task Reschedule_records_attempts_and_releases_the_lease()
    {
        var message = await InsertUnleasedAsync(Message("txn-1", Now));
        Assert.Single(await _store.ClaimDueAsync(Now, Lease, 10, default));

        await _store.RescheduleAsync(message.Id, 3, Now.AddSeconds(8), default);

        Assert.Equal(Now.AddSeconds(8), await _store.NextDueAsync(default));
        Assert.Empty(await _store.ClaimDueAsync(Now.AddSeconds(7), Lease, 10, default));
        var again = Assert.Single(await _store.ClaimDueAsync(Now.AddSeconds(8), Lease, 10, default));
        Assert.Equal(3, again.Attempts);
        Assert.Equal(Now.AddSeconds(8), again.NextAttemptAt);
    }

    [Fact]
    public async Task Complete_removes_the_message()
    {
        var done = await InsertUnleasedAsync(Message("done", Now));
        await InsertUnleasedAsync(Message("other", Now.AddSeconds(5)));

        await _store.CompleteAsync(done.Id, default);

        Assert.Equal(1, _temp.Count("outbox"));
        Assert.Equal(Now.AddSeconds(5), await _store.NextDueAsync(default));
    }

    [Fact]
    public async Task Next_due_is_null_for_an_empty_outbox()
    {
        Assert.Null(await _store.NextDueAsync(default));

        var message = await InsertUnleasedAsync(Message("txn-1", Now));
        await _store.CompleteAsync(message.Id, default);

        Assert.Null(await _store.NextDueAsync(default));
    }

    [Fact]
    public async Task Next_due_of_a_leased_message_is_the_end_of_its_lease()
    {
        await InsertUnleasedAsync(Message("txn-1", Now));
        await _store.ClaimDueAsync(Now, Lease, 10, default);

        Assert.Equal(Now + Lease, await _store.NextDueAsync(default));
    }
}
