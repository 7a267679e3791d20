using System.Net;
using System.Net.Sockets;
using Backchannel.Abstractions;
using Backchannel.Domain;
using Backchannel.Protocol;
using Backchannel.Storage.Postgres;
using Npgsql;

namespace Backchannel.Tests.Storage;

/// <summary>
/// The PostgreSQL engine as many nodes use it, what the store contracts (one instance at a time) cannot see: two store
/// instances on one database (two nodes) racing, migrations from nodes starting together, and a database that cannot be
/// reached (<see cref="StoreUnavailableException"/>, never an Npgsql exception, so that the endpoints answer 503).
/// </summary>
public sealed class PostgresEngineTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Now = new(2030, 1, 2, 3, 4, 5, 678, TimeSpan.Zero);

    private readonly PostgresStoreEngine _engine = new();
    private Stores _a = null!;
    private Stores _b = null!;

    public async Task InitializeAsync()
    {
        _a = await _engine.OpenNodeAsync();
        _b = await _engine.OpenNodeAsync();
    }

    public async Task DisposeAsync() => await _engine.DisposeAsync();

    /// <summary>Node A for even <paramref name="i"/>, node B for odd.</summary>
    private Stores Node(int i) => i % 2 == 0 ? _a : _b;

    private static async Task<AuthenticationRequest> PendingAsync(Stores node, string deliveryMode = DeliveryModes.Poll, string clientId = "client-a")
    {
        var request = StoreData.Request(Now, deliveryMode: deliveryMode, clientId: clientId);
        Assert.NotNull(await node.Requests.CreateAsync(request, [StoreData.DeviceNotification(request, Now)], 0, CancellationToken.None));
        return request;
    }

    private static async Task<IReadOnlyList<OutboxMessage>> OutboxAsync(Stores node)
    {
        var messages = await node.Outbox.ClaimDueAsync("inspector", Now.AddMinutes(1), TimeSpan.FromMinutes(1), 10_000, CancellationToken.None);
        await node.Outbox.ReleaseLeasesAsync("inspector", CancellationToken.None);
        return messages;
    }

    // the schema

    /// <summary>
    /// PostgreSQL updates a row in place (HOT: no index touched, nothing left for vacuum in the indexes) only when no
    /// indexed column changes, counting the columns an index's predicate names. Decisions, polls and redemptions change
    /// only the columns below, so none of the request table's indexes may name one (migration 70).
    /// </summary>
    [Fact]
    public async Task No_index_of_the_request_table_names_a_column_that_a_decision_a_poll_or_a_redemption_changes()
    {
        string[] changed = ["status", "decided_at", "acr", "amr", "redeemed_at", "last_polled_at", "last_poll_slowed_down", "interval_seconds"];
        await using var connection = new NpgsqlConnection(_engine.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'auth_requests'", connection);
        await using var reader = await command.ExecuteReaderAsync();
        var indexes = new List<(string Name, string Definition)>();
        while (await reader.ReadAsync())
        {
            indexes.Add((reader.GetString(0), reader.GetString(1)));
        }

        Assert.Contains(indexes, index => index.Name == "auth_requests_subject");
        foreach (var (name, definition) in indexes)
        {
            var columns = definition[definition.IndexOf(" USING ", StringComparison.Ordinal)..];
            Assert.DoesNotContain(changed, column => System.Text.RegularExpressions.Regex.IsMatch(columns, $@"\b{column}\b"));
        }
    }

    // two nodes racing

    [Fact]
    public async Task Twenty_concurrent_decisions_over_two_nodes_have_one_winner_and_one_notification()
    {
        var request = await PendingAsync(_a, DeliveryModes.Ping);

        var results = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => Task.Run(() => Node(i).Requests.DecideAsync(
            new Decision(request.Id, i % 3 != 0, $"acr-{i}", null, "test"), Now,
            decided => new DecisionEffects(StoreData.ClientNotification(decided, Now), null), CancellationToken.None))));

        var winner = Assert.Single(results, r => r.Outcome == DecisionOutcome.Decided);
        Assert.Equal(19, results.Count(r => r.Outcome == DecisionOutcome.AlreadyDecided));
        foreach (var node in new[] { _a, _b })
        {
            var stored = await node.Requests.FindAsync(request.Id, CancellationToken.None);
            Assert.Equal(winner.Request!.Status, stored!.Status);
            Assert.Equal(winner.Request.Acr, stored.Acr);
        }

        var ping = Assert.Single(await OutboxAsync(_b), m => m.Kind == OutboxKind.Ping);
        Assert.Equal(winner.Notification!.Id, ping.Id);
    }

    [Fact]
    public async Task Twenty_concurrent_redemptions_over_two_nodes_have_one_winner_and_store_one_refresh_token()
    {
        var request = await PendingAsync(_a);
        Assert.Equal(DecisionOutcome.Decided,
            (await _b.Requests.DecideAsync(StoreData.Approval(request), Now, _ => DecisionEffects.None, CancellationToken.None)).Outcome);
        var tokens = Enumerable.Range(0, 20).Select(i => StoreData.RefreshToken(Now, $"family-{i}")).ToList();

        var results = await Task.WhenAll(tokens.Select((token, i) => Task.Run(() =>
            Node(i).Requests.RedeemAsync(request.Id, Now.AddSeconds(1), token, CancellationToken.None))));

        var winner = Assert.Single(Enumerable.Range(0, 20), i => results[i]);
        for (var i = 0; i < tokens.Count; i++)
        {
            Assert.Equal(i == winner, await Node(i + 1).RefreshTokens.FindAsync(tokens[i].TokenHash, CancellationToken.None) is not null);
        }
    }

    [Fact]
    public async Task Concurrent_failures_and_decisions_over_two_nodes_have_one_winner()
    {
        var request = await PendingAsync(_a, DeliveryModes.Ping);

        var wins = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => Task.Run(async () => i % 2 == 0
            ? await Node(i / 2).Requests.FailAsync(request.Id, FailureCause.DeviceUnreachable, Now, r => StoreData.ClientNotification(r, Now),
                CancellationToken.None) is not null
            : (await Node(i / 2).Requests.DecideAsync(StoreData.Approval(request), Now,
                r => new DecisionEffects(StoreData.ClientNotification(r, Now), null), CancellationToken.None)).Outcome == DecisionOutcome.Decided)));

        Assert.Single(wins, w => w);
        Assert.Single(await OutboxAsync(_a), m => m.Kind == OutboxKind.Ping);
    }

    // a node decides from the request as it remembers it, only if the row is still as remembered

    [Fact]
    public async Task A_decision_on_the_creating_node_is_made_from_the_request_as_another_node_left_it()
    {
        var request = await PendingAsync(_a, DeliveryModes.Ping);
        // Node B polls it into a longer interval (slow_down) after node A created it.
        var stored = (await _b.Requests.FindAsync(request.Id, CancellationToken.None))!;
        Assert.False((await _b.Requests.RecordPollAsync(stored, Now, CancellationToken.None)).SlowDown);
        Assert.Equal(new PollResult(true, 10), await _b.Requests.RecordPollAsync(stored, Now.AddSeconds(1), CancellationToken.None));

        var seen = new List<AuthenticationRequest>();
        var result = await _a.Requests.DecideAsync(StoreData.Approval(request), Now.AddSeconds(2), decided =>
        {
            seen.Add(decided);
            return new DecisionEffects(StoreData.ClientNotification(decided, Now), null);
        }, CancellationToken.None);

        Assert.Equal(DecisionOutcome.Decided, result.Outcome);
        Assert.Equal(10, seen[^1].IntervalSeconds);
        Assert.Equal(10, result.Request!.IntervalSeconds);
        Assert.Equal(result.Notification!.Id, Assert.Single(await OutboxAsync(_b), m => m.Kind == OutboxKind.Ping).Id);
    }

    [Fact]
    public async Task A_request_another_node_decided_or_failed_is_not_decided_again_from_what_the_creating_node_remembers()
    {
        var decided = await PendingAsync(_a, DeliveryModes.Ping);
        var failed = await PendingAsync(_a, DeliveryModes.Ping);
        Assert.Equal(DecisionOutcome.Decided, (await _b.Requests.DecideAsync(StoreData.Denial(decided), Now,
            r => new DecisionEffects(StoreData.ClientNotification(r, Now), null), CancellationToken.None)).Outcome);
        Assert.NotNull(await _b.Requests.FailAsync(failed.Id, FailureCause.DeviceUnreachable, Now, r => StoreData.ClientNotification(r, Now),
            CancellationToken.None));

        foreach (var request in new[] { decided, failed })
        {
            Assert.Equal(DecisionOutcome.AlreadyDecided, (await _a.Requests.DecideAsync(StoreData.Approval(request), Now,
                r => new DecisionEffects(StoreData.ClientNotification(r, Now), null), CancellationToken.None)).Outcome);
            Assert.Null(await _a.Requests.FailAsync(request.Id, FailureCause.DeviceUnreachable, Now, r => StoreData.ClientNotification(r, Now),
                CancellationToken.None));
        }

        Assert.Equal(AuthenticationRequestStatus.Denied, (await _a.Requests.FindAsync(decided.Id, CancellationToken.None))!.Status);
        Assert.Equal(AuthenticationRequestStatus.Failed, (await _a.Requests.FindAsync(failed.Id, CancellationToken.None))!.Status);
        Assert.Equal(2, (await OutboxAsync(_a)).Count(m => m.Kind == OutboxKind.Ping));
    }

    [Fact]
    public async Task A_request_approved_on_one_node_and_redeemed_on_another_is_not_redeemed_again_by_the_approving_node()
    {
        var request = await PendingAsync(_a, DeliveryModes.Poll);
        Assert.Equal(DecisionOutcome.Decided, (await _a.Requests.DecideAsync(StoreData.Approval(request), Now, _ => DecisionEffects.None,
            CancellationToken.None)).Outcome);
        Assert.True(await _b.Requests.RedeemAsync(request.Id, Now, null, CancellationToken.None));

        // Node A approved it and answers the token request's read from memory: approved, as it left it.
        var remembered = await _a.Requests.FindByAuthReqIdHashAsync(request.AuthReqIdHash, CancellationToken.None);
        Assert.Equal(AuthenticationRequestStatus.Approved, remembered!.Status);

        // The redemption is conditional on the row, which node B moved on; then the row is read as it is.
        Assert.False(await _a.Requests.RedeemAsync(request.Id, Now, null, CancellationToken.None));
        Assert.Equal(AuthenticationRequestStatus.Redeemed,
            (await _a.Requests.FindByAuthReqIdHashAsync(request.AuthReqIdHash, CancellationToken.None))!.Status);
    }

    [Fact]
    public async Task A_failure_on_the_creating_node_is_made_from_the_request_as_another_node_left_it()
    {
        var request = await PendingAsync(_a, DeliveryModes.Ping);
        var stored = (await _b.Requests.FindAsync(request.Id, CancellationToken.None))!;
        await _b.Requests.RecordPollAsync(stored, Now, CancellationToken.None);
        await _b.Requests.RecordPollAsync(stored, Now.AddSeconds(1), CancellationToken.None);

        AuthenticationRequest? seen = null;
        var failure = await _a.Requests.FailAsync(request.Id, FailureCause.DeviceUnreachable, Now.AddSeconds(2), r =>
        {
            seen = r;
            return StoreData.ClientNotification(r, Now);
        }, CancellationToken.None);

        Assert.NotNull(failure);
        Assert.Equal(10, seen!.IntervalSeconds);
        Assert.Equal(AuthenticationRequestStatus.Failed, failure.Request.Status);
        Assert.Single(await OutboxAsync(_a), m => m.Kind == OutboxKind.Ping);
    }

    [Fact]
    public void What_a_node_remembers_is_bounded_in_number_and_in_bytes_the_first_remembered_going_first()
    {
        var byNumber = new RecentRequests(capacity: 3, budget: 1024 * 1024);
        var requests = Enumerable.Range(0, 5).Select(_ => StoreData.Request(Now)).ToList();
        requests.ForEach(byNumber.Remember);
        Assert.All(requests.Take(2), r => Assert.Null(byNumber.Find(r.Id)));
        Assert.All(requests.Skip(2), r => Assert.Same(r, byNumber.Find(r.Id)));

        // Forgotten and remembered again, then polled into a longer interval.
        byNumber.Forget(requests[4].Id);
        Assert.Null(byNumber.Find(requests[4].Id));
        byNumber.Remember(requests[4]);
        byNumber.Polled(requests[4].Id, 10);
        Assert.Equal(10, byNumber.Find(requests[4].Id)!.IntervalSeconds);

        // Long requests take more of the budget: fewer are remembered, and one larger than the budget is not.
        var byBytes = new RecentRequests(capacity: 1000, budget: 64 * 1024);
        var long1 = StoreData.Request(Now) with { AuthorizationDetails = new string('x', 16 * 1024) };
        var long2 = StoreData.Request(Now) with { AuthorizationDetails = new string('y', 16 * 1024) };
        var tooLong = StoreData.Request(Now) with { AuthorizationDetails = new string('z', 40 * 1024) };
        byBytes.Remember(long1);
        byBytes.Remember(long2);
        Assert.Null(byBytes.Find(long1.Id));
        Assert.NotNull(byBytes.Find(long2.Id));
        byBytes.Remember(tooLong);
        Assert.Null(byBytes.Find(tooLong.Id));
        Assert.NotNull(byBytes.Find(long2.Id));
    }

    [Fact]
    public void Only_a_remembered_approved_request_is_found_by_its_auth_req_id_hash()
    {
        var recent = new RecentRequests(capacity: 2, budget: 1024 * 1024);
        var pending = StoreData.Request(Now);
        var approved = StoreData.Request(Now) with { Status = AuthenticationRequestStatus.Approved, DecidedAt = Now };
        recent.Remember(pending);
        recent.Remember(approved);
        Assert.Null(recent.FindApprovedByHash(pending.AuthReqIdHash));
        Assert.Same(approved, recent.FindApprovedByHash(approved.AuthReqIdHash.ToArray()));

        // Pushed out by newer requests, or forgotten: no longer found.
        recent.Remember(StoreData.Request(Now));
        recent.Remember(StoreData.Request(Now));
        Assert.Null(recent.FindApprovedByHash(approved.AuthReqIdHash));
        recent.Remember(approved);
        recent.Forget(approved.Id);
        Assert.Null(recent.FindApprovedByHash(approved.AuthReqIdHash));
    }

    [Fact]
    public async Task Polls_alternating_between_two_nodes_agree_on_slow_down()
    {
        var request = await PendingAsync(_a);

        async Task<PollResult> PollAsync(Stores node, double seconds)
        {
            var current = await node.Requests.FindAsync(request.Id, CancellationToken.None);
            return await node.Requests.RecordPollAsync(current!, Now.AddSeconds(seconds), CancellationToken.None);
        }

        Assert.Equal(new PollResult(false, 5), await PollAsync(_a, 0));
        Assert.Equal(new PollResult(true, 10), await PollAsync(_b, 2));
        Assert.Equal(new PollResult(true, 15), await PollAsync(_a, 8));
        Assert.Equal(new PollResult(false, 15), await PollAsync(_b, 23));
        Assert.Equal(new PollResult(true, 20), await PollAsync(_a, 24));
        Assert.Equal(new PollResult(false, 20), await PollAsync(_b, 44));
        Assert.Equal(20, (await _a.Requests.FindAsync(request.Id, CancellationToken.None))!.IntervalSeconds);
    }

    [Fact]
    public async Task Simultaneous_polls_on_two_nodes_let_exactly_one_through()
    {
        var request = await PendingAsync(_a);
        var stored = (await _b.Requests.FindAsync(request.Id, CancellationToken.None))!;

        var results = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => Task.Run(async () =>
            await Node(i).Requests.RecordPollAsync(stored, Now.AddSeconds(1), CancellationToken.None))));

        Assert.Single(results, r => !r.SlowDown);
        Assert.Equal(5 + (19 * CibaGrantRules.SlowDownIncrementSeconds), (await _a.Requests.FindAsync(request.Id, CancellationToken.None))!.IntervalSeconds);
    }

    [Fact]
    public async Task Claims_from_two_owners_never_return_the_same_message()
    {
        for (var i = 0; i < 60; i++)
        {
            await PendingAsync(Node(i));
        }

        async Task<List<OutboxMessage>> DrainAsync(Stores node, string owner)
        {
            var taken = new List<OutboxMessage>();
            while (await node.Outbox.ClaimDueAsync(owner, Now, TimeSpan.FromMinutes(1), 4, CancellationToken.None) is { Count: > 0 } batch)
            {
                Assert.All(batch, m => Assert.Equal(owner, m.LeaseOwner));
                taken.AddRange(batch);
            }

            return taken;
        }

        var claims = await Task.WhenAll(
            Task.Run(() => DrainAsync(_a, "node-a")), Task.Run(() => DrainAsync(_b, "node-b")),
            Task.Run(() => DrainAsync(_a, "node-a2")), Task.Run(() => DrainAsync(_b, "node-b2")));

        var ids = claims.SelectMany(c => c).Select(m => m.Id).ToList();
        Assert.Equal(60, ids.Count);
        Assert.Equal(60, ids.Distinct().Count());
        // Each message completes only for its claimer.
        foreach (var (owner, taken) in new[] { "node-a", "node-b", "node-a2", "node-b2" }.Zip(claims))
        {
            Assert.Equal(taken.Count, await _b.Outbox.CompleteManyAsync(taken.Select(m => m.Id).ToList(), owner, CancellationToken.None));
        }

        Assert.Empty(await OutboxAsync(_a));
    }

    [Fact]
    public async Task Expired_requests_claimed_from_two_nodes_are_notified_once_each()
    {
        var requests = new List<AuthenticationRequest>();
        for (var i = 0; i < 30; i++)
        {
            var request = StoreData.Request(Now.AddMinutes(-5), deliveryMode: i % 2 == 0 ? DeliveryModes.Ping : DeliveryModes.Push);
            Assert.NotNull(await Node(i).Requests.CreateAsync(request, [StoreData.DeviceNotification(request, Now)], 0, CancellationToken.None));
            requests.Add(request);
        }

        async Task<List<FailureResult>> DrainAsync(Stores node)
        {
            var claimed = new List<FailureResult>();
            while (await node.Requests.ClaimExpiredForNotificationAsync(Now, 4, r => StoreData.ClientNotification(r, Now), CancellationToken.None) is
                   { Count: > 0 } batch)
            {
                claimed.AddRange(batch);
            }

            return claimed;
        }

        var claims = await Task.WhenAll(Task.Run(() => DrainAsync(_a)), Task.Run(() => DrainAsync(_b)));

        var claimed = claims.SelectMany(c => c).ToList();
        Assert.Equal(requests.Select(r => r.Id).Order(StringComparer.Ordinal), claimed.Select(c => c.Request.Id).Order(StringComparer.Ordinal));
        var notifications = (await OutboxAsync(_a)).Where(m => !m.IsDeviceNotification).ToList();
        Assert.Equal(30, notifications.Count);
        Assert.Equal(claimed.Select(c => c.Notification!.Id).Order(), notifications.Select(m => m.Id).Order());
        // Their places under the pending limit were freed once each: ten more fit, the eleventh does not.
        for (var i = 0; i < 10; i++)
        {
            Assert.NotNull(await Node(i).Requests.CreateAsync(StoreData.Request(Now), [StoreData.DeviceNotification(StoreData.Request(Now), Now)], 10,
                CancellationToken.None));
        }

        var refused = StoreData.Request(Now);
        Assert.Null(await _b.Requests.CreateAsync(refused, [StoreData.DeviceNotification(refused, Now)], 10, CancellationToken.None));
    }

    // the pending limit per client, counted in shards

    private Task<bool> TryCreateAsync(Stores node, int max, string clientId = "client-a")
    {
        var request = StoreData.Request(Now, clientId: clientId);
        return TryCreateAsync(node, request, max);
    }

    private static async Task<bool> TryCreateAsync(Stores node, AuthenticationRequest request, int max) =>
        await node.Requests.CreateAsync(request, [StoreData.DeviceNotification(request, Now)], max, CancellationToken.None) is not null;

    /// <summary>The client's pending count, shard by shard, as the database holds it.</summary>
    private async Task<Dictionary<int, int>> ShardsAsync(string clientId = "client-a")
    {
        await using var dataSource = NpgsqlDataSource.Create(_engine.ConnectionString);
        await using var command = dataSource.CreateCommand("SELECT shard, pending FROM client_pending_shards WHERE client_id = $1");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = clientId });
        await using var reader = await command.ExecuteReaderAsync();
        var shards = new Dictionary<int, int>();
        while (await reader.ReadAsync())
        {
            shards.Add(reader.GetInt32(0), reader.GetInt32(1));
        }

        return shards;
    }

    [Fact]
    public async Task The_pending_limit_holds_exactly_across_nodes_creating_one_after_the_other()
    {
        for (var i = 0; i < 10; i++)
        {
            Assert.True(await TryCreateAsync(Node(i), 10), $"creation {i} is under the limit");
        }

        Assert.False(await TryCreateAsync(_a, 10));
        Assert.False(await TryCreateAsync(_b, 10));
        Assert.True(await TryCreateAsync(_b, 10, "client-b"));
        Assert.Equal(11, (await OutboxAsync(_a)).Count);
    }

    [Fact]
    public async Task The_pending_limit_holds_across_nodes_creating_at_once_within_the_creations_in_flight()
    {
        // At most four creations in flight at any moment, over two nodes: the count may pass the limit by three at most.
        const int limit = 10;
        const int inFlight = 4;
        using var gate = new SemaphoreSlim(inFlight);
        var created = await Task.WhenAll(Enumerable.Range(0, 60).Select(i => Task.Run(async () =>
        {
            await gate.WaitAsync();
            try
            {
                return await TryCreateAsync(Node(i), limit);
            }
            finally
            {
                gate.Release();
            }
        })));

        var count = created.Count(c => c);
        Assert.InRange(count, limit, limit + inFlight - 1);
        Assert.Equal(count, (await OutboxAsync(_a)).Count);
        Assert.Equal(count, (await ShardsAsync()).Values.Sum());
        // Once they are all in, the limit refuses on either node.
        Assert.False(await TryCreateAsync(_a, limit));
        Assert.False(await TryCreateAsync(_b, limit));
    }

    [Fact]
    public async Task A_client_s_count_is_spread_over_shards_and_each_request_leaves_the_shard_it_was_counted_in()
    {
        var requests = new List<AuthenticationRequest>();
        for (var i = 0; i < 40; i++)
        {
            var request = StoreData.Request(i < 20 ? Now : Now.AddMinutes(-30), deliveryMode: i % 4 == 1 ? DeliveryModes.Ping : DeliveryModes.Poll);
            Assert.True(await TryCreateAsync(Node(i), request, 0));
            requests.Add(request);
        }

        var shards = await ShardsAsync();
        Assert.True(shards.Count > 1, "forty requests of one client are not all counted in one row");
        Assert.All(shards.Keys, shard => Assert.InRange(shard, 0, PostgresAuthenticationRequestStore.PendingShards - 1));
        Assert.Equal(40, shards.Values.Sum());

        // Decided, failed, expired and notified, removed: every way out takes the request from its own shard, so that no
        // shard is left counting another's requests, and none would go below zero.
        for (var i = 0; i < 20; i += 2)
        {
            Assert.Equal(DecisionOutcome.Decided,
                (await Node(i + 1).Requests.DecideAsync(StoreData.Approval(requests[i]), Now, _ => DecisionEffects.None, CancellationToken.None)).Outcome);
            Assert.NotNull(await Node(i).Requests.FailAsync(requests[i + 1].Id, FailureCause.DeviceUnreachable, Now, _ => null, CancellationToken.None));
        }

        Assert.Equal(20, (await ShardsAsync()).Values.Sum());
        Assert.Equal(5, (await _b.Requests.ClaimExpiredForNotificationAsync(Now, 100, _ => null, CancellationToken.None)).Count);
        Assert.Equal(15, (await ShardsAsync()).Values.Sum());
        await _a.Requests.DeleteExpiredAsync(Now.AddMinutes(-1), CancellationToken.None);
        shards = await ShardsAsync();
        Assert.Equal(0, shards.Values.Sum());
        Assert.All(shards.Values, pending => Assert.Equal(0, pending));
    }

    [Fact]
    public async Task Version_one_requests_are_counted_again_in_shard_zero_and_leave_it_as_they_are_decided()
    {
        await using var fresh = new PostgresStoreEngine();
        await using (var dataSource = NpgsqlDataSource.Create(fresh.ConnectionString))
        {
            // A database as version 1 left it, with two pending requests (and a count that drifted from them).
            await using (var command = dataSource.CreateCommand())
            {
                command.CommandText = await ReadMigrationAsync(1) +
                                      "; CREATE TABLE schema_migrations (version integer NOT NULL PRIMARY KEY, applied_at bigint NOT NULL)" +
                                      "; INSERT INTO schema_migrations VALUES (1, 0); INSERT INTO client_pending VALUES ('client-a', 7)";
                await command.ExecuteNonQueryAsync();
            }

            var node = await fresh.OpenNodeAsync(open: false);
            await using (var insert = dataSource.CreateCommand(
                             "INSERT INTO auth_requests (id, auth_req_id_hash, client_id, subject, scope, delivery_mode, channel, status, created_at, " +
                             "expires_at, interval_seconds) VALUES ('old-1', '\\x01', 'client-a', 'alice', 'openid', 'poll', 'test', 0, $1, $2, 5), " +
                             "('old-2', '\\x02', 'client-a', 'alice', 'openid', 'poll', 'test', 0, $1, $2, 5)"))
            {
                insert.Parameters.Add(new NpgsqlParameter<long> { TypedValue = Now.ToUnixTimeMilliseconds() });
                insert.Parameters.Add(new NpgsqlParameter<long> { TypedValue = Now.AddMinutes(5).ToUnixTimeMilliseconds() });
                await insert.ExecuteNonQueryAsync();
            }

            await node.Lifecycle.OpenAsync(CancellationToken.None);

            Assert.True(await TryCreateAsync(node, 3));
            Assert.False(await TryCreateAsync(node, 3));
            Assert.Equal(DecisionOutcome.Decided, (await node.Requests.DecideAsync(new Decision("old-1", true, null, null, "test"), Now,
                _ => DecisionEffects.None, CancellationToken.None)).Outcome);
            Assert.True(await TryCreateAsync(node, 3));
            Assert.False(await TryCreateAsync(node, 3));
        }
    }

    private static async Task<string> ReadMigrationAsync(int version)
    {
        var (_, name) = PostgresMigrator.Migrations.Single(m => m.Version == version);
        await using var stream = typeof(PostgresMigrator).Assembly.GetManifestResourceStream(name)!;
        using var reader = new StreamReader(stream);
        return await reader.ReadToEndAsync();
    }

    [Fact]
    public async Task A_refresh_token_rotated_on_two_nodes_at_once_rotates_once()
    {
        var request = await PendingAsync(_a);
        await _a.Requests.DecideAsync(StoreData.Approval(request), Now, _ => DecisionEffects.None, CancellationToken.None);
        var token = StoreData.RefreshToken(Now, "family-1", token: "rt-1");
        Assert.True(await _a.Requests.RedeemAsync(request.Id, Now, token, CancellationToken.None));

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => Task.Run(() => Node(i).RefreshTokens.RotateAsync(
            token.TokenHash, StoreData.RefreshToken(Now, "family-1", token: $"rt-next-{i}"), Now.AddMinutes(1), CancellationToken.None))));

        Assert.Single(outcomes, o => o == RotationOutcome.Rotated);
        Assert.Contains(RotationOutcome.ReuseDetected, outcomes);
        Assert.True(await _b.RefreshTokens.IsFamilyRevokedAsync("family-1", CancellationToken.None));
    }

    [Fact]
    public async Task A_jti_is_accepted_once_across_nodes()
    {
        var results = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => Task.Run(() =>
            Node(i).ReplayCache.TryAddAsync("assertion:client-a:jti-1", Now.AddMinutes(5), CancellationToken.None))));

        Assert.Single(results, r => r);
    }

    [Fact]
    public async Task The_store_lock_held_by_one_node_keeps_the_other_waiting()
    {
        var held = await _a.Lock.AcquireAsync(StoreLocks.Keys, CancellationToken.None);

        var waiting = _b.Lock.AcquireAsync(StoreLocks.Keys, CancellationToken.None).AsTask();
        await Task.Delay(200);
        Assert.False(waiting.IsCompleted, "node B must wait while node A holds the lock");
        await using (await _b.Lock.AcquireAsync(StoreLocks.Seeding, CancellationToken.None).AsTask().WaitAsync(TimeSpan.FromSeconds(10)))
        {
            // Another name is free.
        }

        await held.DisposeAsync();
        await (await waiting.WaitAsync(TimeSpan.FromSeconds(10))).DisposeAsync();
    }

    // migrations

    [Fact]
    public async Task Migrations_run_by_three_nodes_starting_together_are_applied_once()
    {
        await using var fresh = new PostgresStoreEngine();
        var nodes = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => fresh.OpenNodeAsync(open: false)));

        await Task.WhenAll(nodes.Select(node => Task.Run(() => node.Lifecycle.OpenAsync(CancellationToken.None))));

        await using (var dataSource = NpgsqlDataSource.Create(fresh.ConnectionString))
        await using (var command = dataSource.CreateCommand("SELECT version FROM schema_migrations ORDER BY version"))
        await using (var reader = await command.ExecuteReaderAsync())
        {
            var versions = new List<int>();
            while (await reader.ReadAsync())
            {
                versions.Add(reader.GetInt32(0));
            }

            Assert.Equal(PostgresMigrator.Migrations.Select(m => m.Version), versions);
        }

        var request = await PendingAsync(nodes[0]);
        Assert.NotNull(await nodes[2].Requests.FindAsync(request.Id, CancellationToken.None));
        await nodes[1].Lifecycle.OpenAsync(CancellationToken.None);
    }

    // a database that cannot be reached

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    [Fact]
    public async Task An_unreachable_server_is_store_unavailable_naming_the_server_and_the_setting_but_not_the_password()
    {
        var port = ClosedPort();
        var node = await _engine.OpenNodeAsync(open: false,
            connectionString: $"Host=127.0.0.1;Port={port};Database=backchannel;Username=backchannel;Password=s3cret-pw;Timeout=5");

        var open = await Assert.ThrowsAsync<StoreUnavailableException>(() => node.Lifecycle.OpenAsync(CancellationToken.None));

        Assert.Contains($"127.0.0.1:{port}", open.Message, StringComparison.Ordinal);
        Assert.Contains("Backchannel:Storage:ConnectionString", open.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret-pw", open.Message, StringComparison.Ordinal);
        Assert.Equal($"PostgreSQL 127.0.0.1:{port}/backchannel", node.Lifecycle.Description);

        // Every operation says the same kind of thing: the endpoints answer 503, not 500.
        await Assert.ThrowsAsync<StoreUnavailableException>(() => node.Lifecycle.PingAsync(CancellationToken.None));
        await Assert.ThrowsAsync<StoreUnavailableException>(async () => await node.Requests.FindAsync("any", CancellationToken.None));
        await Assert.ThrowsAsync<StoreUnavailableException>(() => node.Requests.DecideAsync(
            new Decision("any", true, null, null, "test"), Now, _ => DecisionEffects.None, CancellationToken.None));
        await Assert.ThrowsAsync<StoreUnavailableException>(() => node.ReplayCache.TryAddAsync("jti", Now, CancellationToken.None));
        await Assert.ThrowsAsync<StoreUnavailableException>(() => node.Outbox.ClaimDueAsync("node-a", Now, TimeSpan.FromSeconds(30), 10,
            CancellationToken.None));
        await Assert.ThrowsAsync<StoreUnavailableException>(async () => await node.Lock.AcquireAsync(StoreLocks.Keys, CancellationToken.None));
        await Assert.ThrowsAsync<StoreUnavailableException>(() => node.Statistics.ReadAsync(Now, CancellationToken.None));
    }

    [Fact]
    public async Task A_database_that_does_not_exist_is_named_at_open()
    {
        var node = await _engine.OpenNodeAsync(open: false, connectionString: PostgresServer.Instance.ConnectionString("no_such_database"));

        var open = await Assert.ThrowsAsync<StoreUnavailableException>(() => node.Lifecycle.OpenAsync(CancellationToken.None));

        Assert.Contains("'no_such_database' does not exist", open.Message, StringComparison.Ordinal);
        Assert.Contains("Backchannel:Storage:ConnectionString", open.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("", "Backchannel:Storage:ConnectionString is empty")]
    [InlineData("Data Source=backchannel.db", "Backchannel:Storage:ConnectionString is a SQLite connection string")]
    [InlineData("Database=backchannel", "Backchannel:Storage:ConnectionString names no Host")]
    [InlineData("Host=db;Colour=blue", "Backchannel:Storage:ConnectionString is not a valid Npgsql connection string")]
    public async Task A_connection_string_that_cannot_work_is_store_unavailable_saying_why(string connectionString, string message)
    {
        var node = await _engine.OpenNodeAsync(open: false, connectionString: connectionString);

        // Found when the store is first composed, before anything connects.
        var open = await Assert.ThrowsAnyAsync<Exception>(() => node.Lifecycle.OpenAsync(CancellationToken.None));

        var unavailable = open;
        while (unavailable is not StoreUnavailableException && unavailable.InnerException is { } inner)
        {
            unavailable = inner;
        }

        Assert.IsType<StoreUnavailableException>(unavailable);
        Assert.Contains(message, unavailable.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Host=db", true)]
    [InlineData("Host=db;No Reset On Close=false", false)]
    [InlineData("Host=db;NoResetOnClose=false", false)]
    public void Pooled_connections_are_not_reset_unless_the_connection_string_says(string connectionString, bool noReset)
    {
        var settings = PostgresConnectionSettings.Parse(connectionString);

        Assert.Equal(noReset, new NpgsqlConnectionStringBuilder(settings.ConnectionString).NoResetOnClose);
    }

    [Fact]
    public async Task A_store_lock_holds_a_session_outside_the_pool_that_ends_when_it_is_released()
    {
        async Task<long> SessionsHoldingAsync()
        {
            await using var dataSource = NpgsqlDataSource.Create(_engine.ConnectionString);
            await using var command = dataSource.CreateCommand(
                "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid WHERE l.locktype = 'advisory' AND a.datname = $1");
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = _engine.Database });
            return (long)(await command.ExecuteScalarAsync())!;
        }

        var held = await _a.Lock.AcquireAsync(StoreLocks.Keys, CancellationToken.None);
        Assert.Equal(1, await SessionsHoldingAsync());
        await held.DisposeAsync();
        Assert.Equal(0, await SessionsHoldingAsync());
        // The pooled connections the stores use meanwhile hold nothing either.
        await PendingAsync(_a);
        Assert.Equal(0, await SessionsHoldingAsync());
    }

    [Fact]
    public async Task Sessions_the_server_ends_are_store_unavailable_and_the_store_recovers_by_itself()
    {
        var request = await PendingAsync(_a);
        Assert.NotNull(await _a.Requests.FindAsync(request.Id, CancellationToken.None));

        // What a restart of the server does to the pooled sessions.
        await using (var admin = NpgsqlDataSource.Create(PostgresServer.Instance.ConnectionString("postgres")))
        await using (var command = admin.CreateCommand("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = $1"))
        {
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = _engine.Database });
            Assert.True((long)(await command.ExecuteScalarAsync())! > 0);
        }

        await Assert.ThrowsAsync<StoreUnavailableException>(async () => await _a.Requests.FindAsync(request.Id, CancellationToken.None));

        AuthenticationRequest? found = null;
        for (var attempt = 0; attempt < 5 && found is null; attempt++)
        {
            try
            {
                found = await _a.Requests.FindAsync(request.Id, CancellationToken.None);
            }
            catch (StoreUnavailableException)
            {
                // Another pooled session the server ended.
            }
        }

        Assert.NotNull(found);
        await _a.Lifecycle.PingAsync(CancellationToken.None);
    }
}
