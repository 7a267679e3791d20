using Backchannel.Protocol;
using Backchannel.Storage;
using Backchannel.Storage.Sqlite;

namespace Backchannel.Tests;

public sealed class SqliteAuthenticationRequestStoreTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2030, 1, 2, 3, 4, 5, 678, TimeSpan.Zero);

    private readonly TempDatabase _temp = new();
    private readonly SqliteAuthenticationRequestStore _store;

    public SqliteAuthenticationRequestStoreTests() => _store = new SqliteAuthenticationRequestStore(_temp.Database);

    public void Dispose() => _temp.Dispose();

    private async Task<AuthenticationRequest> CreateAsync(AuthenticationRequest request)
    {
        await _store.CreateAsync(request, TempDatabase.DeviceNotification(request, Now), default);
        return request;
    }

    private static OutboxMessage PingMessage(AuthenticationRequest request) => new()
    {
        RequestId = request.Id,
        Kind = OutboxKind.Ping,
        Payload = [1, 2, 3],
        NextAttemptAt = Now,
        ExpiresAt = request.ExpiresAt,
        CreatedAt = Now,
    };

    private static DecisionEffects Ping(AuthenticationRequest request) => new(PingMessage(request), null);

    private static RefreshTokenRecord RefreshToken(string family = "family-1") => new()
    {
        TokenHash = SecretHash.Compute(RandomIdentifiers.NewRefreshToken()),
        FamilyId = family,
        ClientId = "client-a",
        Subject = "alice",
        Scope = "openid offline_access",
        AuthTime = Now,
        CreatedAt = Now,
        ExpiresAt = Now.AddDays(30),
    };

    [Fact]
    public async Task Create_then_find_by_auth_req_id_hash_round_trips_every_field()
    {
        var request = new AuthenticationRequest
        {
            Id = "txn-123",
            AuthReqIdHash = SecretHash.Compute("the-auth-req-id"),
            ClientId = "client-a",
            Subject = "248289761001",
            Scope = "openid email profile",
            AcrValues = "urn:acr:high urn:acr:low",
            BindingMessage = "Pay \u20ac10 \U0001F431",
            LoginHint = "alice@example.com",
            AuthorizationDetails = "[{\"type\":\"payment_initiation\"}]",
            RequestContext = "{\"branch\":\"42\"}",
            SealedAuthReqId = [0x01, 0xFE, 0x00, 0x7F, 0x80],
            ClientNotificationToken = "8d67dc78-7faa-4d41-aabd-67707b374255",
            DeliveryMode = DeliveryModes.Ping,
            Channel = "http",
            Status = AuthenticationRequestStatus.Pending,
            CreatedAt = Now,
            ExpiresAt = Now.AddSeconds(300),
            IntervalSeconds = 7,
        };

        var notification = await _store.CreateAsync(request, TempDatabase.DeviceNotification(request, Now), default);
        var found = await _store.FindByAuthReqIdHashAsync(SecretHash.Compute("the-auth-req-id"), default);

        Assert.NotNull(found);
        Assert.Equal(request.Id, found.Id);
        Assert.Equal(request.AuthReqIdHash, found.AuthReqIdHash);
        Assert.Equal(request.ClientId, found.ClientId);
        Assert.Equal(request.Subject, found.Subject);
        Assert.Equal(request.Scope, found.Scope);
        Assert.Equal(request.AcrValues, found.AcrValues);
        Assert.Equal(request.BindingMessage, found.BindingMessage);
        Assert.Equal(request.LoginHint, found.LoginHint);
        Assert.Equal(request.AuthorizationDetails, found.AuthorizationDetails);
        Assert.Equal(request.RequestContext, found.RequestContext);
        Assert.Equal(request.SealedAuthReqId, found.SealedAuthReqId);
        Assert.Equal(request.ClientNotificationToken, found.ClientNotificationToken);
        Assert.Equal(request.DeliveryMode, found.DeliveryMode);
        Assert.Equal(request.Channel, found.Channel);
        Assert.Equal(request.Status, found.Status);
        Assert.Equal(request.CreatedAt, found.CreatedAt);
        Assert.Equal(request.ExpiresAt, found.ExpiresAt);
        Assert.Equal(request.IntervalSeconds, found.IntervalSeconds);
        Assert.Null(found.DecidedAt);
        Assert.Null(found.Acr);
        Assert.Null(found.Amr);

        Assert.True(notification.Id > 0);
        Assert.Equal(request.Id, notification.RequestId);
        Assert.Equal(OutboxKind.DeviceNotification, notification.Kind);
    }

    [Fact]
    public async Task Create_stores_nulls_as_nulls()
    {
        var request = await CreateAsync(TempDatabase.Request(Now));

        var found = await _store.FindAsync(request.Id, default);

        Assert.NotNull(found);
        Assert.Null(found.AcrValues);
        Assert.Null(found.BindingMessage);
        Assert.Null(found.LoginHint);
        Assert.Null(found.AuthorizationDetails);
        Assert.Null(found.RequestContext);
        Assert.Null(found.ClientNotificationToken);
        Assert.Null(found.SealedAuthReqId);
    }

    [Fact]
    public async Task Unknown_hash_and_id_find_nothing()
    {
        await CreateAsync(TempDatabase.Request(Now));

        Assert.Null(await _store.FindByAuthReqIdHashAsync(SecretHash.Compute("unknown"), default));
        Assert.Null(await _store.FindAsync("unknown", default));
    }

    [Fact]
    public async Task Create_stores_the_device_notification_in_the_same_transaction()
    {
        await CreateAsync(TempDatabase.Request(Now));
        await CreateAsync(TempDatabase.Request(Now));

        Assert.Equal(2, _temp.Count("auth_requests"));
        Assert.Equal(2, _temp.Count("outbox"));
    }

    [Fact]
    public async Task Duplicate_auth_req_id_fails_and_stores_no_notification()
    {
        await CreateAsync(TempDatabase.Request(Now, authReqId: "same"));

        await Assert.ThrowsAnyAsync<Exception>(() => CreateAsync(TempDatabase.Request(Now, authReqId: "same")));

        Assert.Equal(1, _temp.Count("auth_requests"));
        Assert.Equal(1, _temp.Count("outbox"));
    }

    // polling

    [Fact]
    public async Task First_poll_is_fine()
    {
        var request = await CreateAsync(TempDatabase.Request(Now));

        Assert.Equal(new PollResult(false, 5), await _store.RecordPollAsync(request, Now.AddSeconds(1), default));
    }

    [Fact]
    public async Task Poll_sooner_than_the_interval_is_slow_down_and_the_interval_grows_for_later_polls()
    {
        var request = await CreateAsync(TempDatabase.Request(Now));

        Assert.Equal(new PollResult(false, 5), await _store.RecordPollAsync(request, Now, default));
        Assert.Equal(new PollResult(true, 10), await _store.RecordPollAsync(request, Now.AddSeconds(2), default));
        Assert.Equal(10, (await _store.FindAsync(request.Id, default))!.IntervalSeconds);

        // Six seconds later: beyond the old interval, within the new one.
        Assert.Equal(new PollResult(true, 15), await _store.RecordPollAsync(request, Now.AddSeconds(8), default));

        // Now at the grown interval: fine, and the interval stays grown.
        Assert.Equal(new PollResult(false, 15), await _store.RecordPollAsync(request, Now.AddSeconds(23), default));
        Assert.Equal(new PollResult(false, 15), await _store.RecordPollAsync(request, Now.AddSeconds(40), default));
        Assert.Equal(15, (await _store.FindAsync(request.Id, default))!.IntervalSeconds);
    }

    [Fact]
    public async Task A_grown_interval_outlives_the_process()
    {
        var request = await CreateAsync(TempDatabase.Request(Now));
        await _store.RecordPollAsync(request, Now, default);
        await _store.RecordPollAsync(request, Now.AddSeconds(1), default);

        // A new store (a restarted process) knows no poll times, but reads the grown interval from the row.
        var restarted = new SqliteAuthenticationRequestStore(_temp.Database);
        var stored = (await restarted.FindAsync(request.Id, default))!;
        Assert.Equal(10, stored.IntervalSeconds);
        Assert.Equal(new PollResult(false, 10), await restarted.RecordPollAsync(stored, Now.AddSeconds(2), default));
        Assert.Equal(new PollResult(true, 15), await restarted.RecordPollAsync(stored, Now.AddSeconds(3), default));
    }

    [Fact]
    public async Task Polls_cost_no_write_until_a_slow_down()
    {
        var request = await CreateAsync(TempDatabase.Request(Now));
        var walLength = new FileInfo(_temp.Path + "-wal").Length;

        for (var i = 0; i < 5; i++)
        {
            Assert.False((await _store.RecordPollAsync(request, Now.AddSeconds(5 * i), default)).SlowDown);
        }

        Assert.Equal(5, (await _store.FindAsync(request.Id, default))!.IntervalSeconds);
        Assert.Equal(walLength, new FileInfo(_temp.Path + "-wal").Length);
        await _store.RecordPollAsync(request, Now.AddSeconds(21), default);
        Assert.True(new FileInfo(_temp.Path + "-wal").Length > walLength, "a slow_down writes the grown interval");
    }

    // decisions

    [Fact]
    public async Task Approval_decides_once_and_stores_acr_amr_and_the_notification()
    {
        var request = await CreateAsync(TempDatabase.Request(Now));
        var decidedAt = Now.AddSeconds(10);

        var result = await _store.DecideAsync(request.Id, new AuthenticationDecision(true, "urn:acr:high", ["pwd", "otp"]), decidedAt, _ => Ping(request), default);

        Assert.Equal(DecisionOutcome.Decided, result.Outcome);
        Assert.NotNull(result.Request);
        Assert.Equal(AuthenticationRequestStatus.Approved, result.Request.Status);
        Assert.NotNull(result.Notification);
        Assert.True(result.Notification.Id > 0);
        Assert.Equal(OutboxKind.Ping, result.Notification.Kind);

        var stored = await _store.FindAsync(request.Id, default);
        Assert.NotNull(stored);
        Assert.Equal(AuthenticationRequestStatus.Approved, stored.Status);
        Assert.Equal(decidedAt, stored.DecidedAt);
        Assert.Equal("urn:acr:high", stored.Acr);
        Assert.Equal(["pwd", "otp"], stored.Amr);
        Assert.Equal(2, _temp.Count("outbox"));
    }

    [Fact]
    public async Task Denial_is_stored_and_no_effects_store_nothing()
    {
        var request = await CreateAsync(TempDatabase.Request(Now));

        var result = await _store.DecideAsync(request.Id, new AuthenticationDecision(false, null, null), Now, _ => DecisionEffects.None, default);

        Assert.Equal(DecisionOutcome.Decided, result.Outcome);
        Assert.Null(result.Notification);
        Assert.Equal(AuthenticationRequestStatus.Denied, (await _store.FindAsync(request.Id, default))!.Status);
        Assert.Equal(1, _temp.Count("outbox"));
    }

    [Fact]
    public async Task Second_decision_is_already_decided_and_changes_nothing()
    {
        var request = await CreateAsync(TempDatabase.Request(Now));
        await _store.DecideAsync(request.Id, new AuthenticationDecision(true, "urn:acr:a", null), Now, _ => Ping(request), default);

        var second = await _store.DecideAsync(request.Id, new AuthenticationDecision(false, "urn:acr:b", null), Now.AddSeconds(1), _ => Ping(request), default);

        Assert.Equal(DecisionOutcome.AlreadyDecided, second.Outcome);
        var stored = await _store.FindAsync(request.Id, default);
        Assert.Equal(AuthenticationRequestStatus.Approved, stored!.Status);
        Assert.Equal("urn:acr:a", stored.Acr);
        Assert.Equal(2, _temp.Count("outbox"));
    }

    [Fact]
    public async Task Decision_after_expiry_is_expired()
    {
        var request = await CreateAsync(TempDatabase.Request(Now, lifetime: TimeSpan.FromSeconds(30)));

        var result = await _store.DecideAsync(request.Id, new AuthenticationDecision(true, null, null), Now.AddSeconds(30), _ => Ping(request), default);

        Assert.Equal(DecisionOutcome.Expired, result.Outcome);
        Assert.Equal(AuthenticationRequestStatus.Pending, (await _store.FindAsync(request.Id, default))!.Status);
    }

    [Fact]
    public async Task Decision_on_an_unknown_request_is_not_found()
    {
        Assert.Equal(DecisionOutcome.NotFound,
            (await _store.DecideAsync("unknown", new AuthenticationDecision(true, null, null), Now, _ => DecisionEffects.None, default)).Outcome);
    }

    [Fact]
    public async Task Fifty_concurrent_decisions_have_exactly_one_winner()
    {
        var request = await CreateAsync(TempDatabase.Request(Now));

        var results = await Task.WhenAll(Enumerable.Range(0, 50).Select(i => Task.Run(() =>
            _store.DecideAsync(request.Id, new AuthenticationDecision(i % 2 == 0, $"acr-{i}", null), Now, _ => Ping(request), default))));

        Assert.Single(results, r => r.Outcome == DecisionOutcome.Decided);
        Assert.Equal(49, results.Count(r => r.Outcome == DecisionOutcome.AlreadyDecided));
        var winner = results.Single(r => r.Outcome == DecisionOutcome.Decided);
        Assert.Equal(winner.Request!.Acr, (await _store.FindAsync(request.Id, default))!.Acr);
        Assert.Equal(1, _temp.Database.Read(s => (long)s.Scalar("SELECT COUNT(*) FROM outbox WHERE kind = 2")!));
    }

    [Fact]
    public async Task Decision_stores_the_pushed_refresh_token_with_it_once()
    {
        var request = await CreateAsync(TempDatabase.Request(Now));
        var refreshToken = RefreshToken();

        var first = await _store.DecideAsync(request.Id, new AuthenticationDecision(true, null, null), Now,
            _ => new DecisionEffects(PingMessage(request), refreshToken), default);
        var second = await _store.DecideAsync(request.Id, new AuthenticationDecision(true, null, null), Now,
            _ => new DecisionEffects(PingMessage(request), RefreshToken()), default);

        Assert.Equal(DecisionOutcome.Decided, first.Outcome);
        Assert.Equal(DecisionOutcome.AlreadyDecided, second.Outcome);
        Assert.Equal(1, _temp.Count("refresh_tokens"));
        Assert.NotNull(await new SqliteRefreshTokenStore(_temp.Database).FindAsync(refreshToken.TokenHash, default));
    }

    [Fact]
    public async Task Expired_or_unknown_decision_stores_no_effects()
    {
        var request = await CreateAsync(TempDatabase.Request(Now, lifetime: TimeSpan.FromSeconds(1)));

        await _store.DecideAsync(request.Id, new AuthenticationDecision(true, null, null), Now.AddSeconds(1),
            _ => new DecisionEffects(PingMessage(request), RefreshToken()), default);
        await _store.DecideAsync("unknown", new AuthenticationDecision(true, null, null), Now,
            _ => new DecisionEffects(PingMessage(request), RefreshToken()), default);

        Assert.Equal(0, _temp.Count("refresh_tokens"));
        Assert.Equal(1, _temp.Count("outbox"));
    }

    [Fact]
    public async Task Failed_request_can_no_longer_be_decided()
    {
        var request = await CreateAsync(TempDatabase.Request(Now));

        var failure = await _store.FailAsync(request.Id, Now, PingMessage, default);
        Assert.NotNull(failure);
        Assert.Equal(AuthenticationRequestStatus.Failed, failure.Request.Status);
        Assert.NotNull(failure.Notification);
        Assert.True(failure.Notification.Id > 0);
        Assert.Null(await _store.FailAsync(request.Id, Now, PingMessage, default));
        Assert.Equal(2, _temp.Count("outbox"));

        Assert.Equal(AuthenticationRequestStatus.Failed, (await _store.FindAsync(request.Id, default))!.Status);
        Assert.Equal(DecisionOutcome.AlreadyDecided,
            (await _store.DecideAsync(request.Id, new AuthenticationDecision(true, null, null), Now, _ => Ping(request), default)).Outcome);
    }

    [Fact]
    public async Task Approved_request_can_fail_but_a_redeemed_one_cannot()
    {
        var approved = await CreateAsync(TempDatabase.Request(Now, AuthenticationRequestStatus.Approved));
        var redeemed = await CreateAsync(TempDatabase.Request(Now, AuthenticationRequestStatus.Approved));
        await _store.RedeemAsync(redeemed.Id, Now, null, default);

        Assert.NotNull(await _store.FailAsync(approved.Id, Now, _ => null, default));
        Assert.Null(await _store.FailAsync(redeemed.Id, Now, PingMessage, default));
        Assert.Null(await _store.FailAsync("unknown", Now, PingMessage, default));
        Assert.Equal(AuthenticationRequestStatus.Redeemed, (await _store.FindAsync(redeemed.Id, default))!.Status);
        Assert.Equal(2, _temp.Count("outbox"));
    }

    [Fact]
    public async Task Concurrent_failures_and_decisions_have_one_winner()
    {
        var request = await CreateAsync(TempDatabase.Request(Now));

        var failures = Enumerable.Range(0, 25).Select(_ => Task.Run(async () => await _store.FailAsync(request.Id, Now, PingMessage, default) is not null)).ToList();
        var decisions = Enumerable.Range(0, 25).Select(_ => Task.Run(async () =>
            (await _store.DecideAsync(request.Id, new AuthenticationDecision(true, null, null), Now, _ => Ping(request), default)).Outcome == DecisionOutcome.Decided)).ToList();
        var wins = await Task.WhenAll(failures.Concat(decisions));

        Assert.Single(wins, w => w);
        Assert.Equal(2, _temp.Count("outbox"));
    }

    // expiry notifications (ping and push)

    [Fact]
    public async Task Expired_undecided_ping_and_push_requests_are_claimed_for_notification_once()
    {
        var ping = await CreateAsync(TempDatabase.Request(Now, lifetime: TimeSpan.FromSeconds(10)) with { DeliveryMode = DeliveryModes.Ping });
        var push = await CreateAsync(TempDatabase.Request(Now, lifetime: TimeSpan.FromSeconds(20)) with { DeliveryMode = DeliveryModes.Push });
        await CreateAsync(TempDatabase.Request(Now, lifetime: TimeSpan.FromSeconds(10)));
        var approved = await CreateAsync(TempDatabase.Request(Now, AuthenticationRequestStatus.Approved, lifetime: TimeSpan.FromSeconds(10)) with { DeliveryMode = DeliveryModes.Ping });
        await CreateAsync(TempDatabase.Request(Now, lifetime: TimeSpan.FromSeconds(60)) with { DeliveryMode = DeliveryModes.Ping });

        var claimed = await _store.ClaimExpiredForNotificationAsync(Now.AddSeconds(30), 10, PingMessage, default);
        var again = await _store.ClaimExpiredForNotificationAsync(Now.AddSeconds(30), 10, PingMessage, default);

        Assert.Equal([ping.Id, push.Id], claimed.Select(c => c.Request.Id));
        Assert.All(claimed, c => Assert.True(c.Notification!.Id > 0));
        Assert.DoesNotContain(claimed, c => c.Request.Id == approved.Id);
        Assert.Empty(again);
        Assert.Equal(5 + 2, _temp.Count("outbox"));
    }

    [Fact]
    public async Task Expiry_claims_take_at_most_max_earliest_first()
    {
        var late = await CreateAsync(TempDatabase.Request(Now, lifetime: TimeSpan.FromSeconds(20)) with { DeliveryMode = DeliveryModes.Ping });
        var early = await CreateAsync(TempDatabase.Request(Now, lifetime: TimeSpan.FromSeconds(10)) with { DeliveryMode = DeliveryModes.Ping });

        var first = await _store.ClaimExpiredForNotificationAsync(Now.AddMinutes(1), 1, PingMessage, default);
        var second = await _store.ClaimExpiredForNotificationAsync(Now.AddMinutes(1), 1, PingMessage, default);

        Assert.Equal(early.Id, Assert.Single(first).Request.Id);
        Assert.Equal(late.Id, Assert.Single(second).Request.Id);
    }

    // redemption

    [Fact]
    public async Task Delivered_push_request_is_marked_redeemed()
    {
        var request = await CreateAsync(TempDatabase.Request(Now, AuthenticationRequestStatus.Approved) with { DeliveryMode = DeliveryModes.Push });
        var pending = await CreateAsync(TempDatabase.Request(Now) with { DeliveryMode = DeliveryModes.Push });

        await _store.MarkDeliveredAsync(request.Id, Now, default);
        await _store.MarkDeliveredAsync(pending.Id, Now, default);

        Assert.Equal(AuthenticationRequestStatus.Redeemed, (await _store.FindAsync(request.Id, default))!.Status);
        Assert.Equal(AuthenticationRequestStatus.Pending, (await _store.FindAsync(pending.Id, default))!.Status);
        Assert.False(await _store.RedeemAsync(request.Id, Now, null, default));
    }

    [Fact]
    public async Task Approved_request_is_redeemed_once_with_its_refresh_token()
    {
        var request = await CreateAsync(TempDatabase.Request(Now, AuthenticationRequestStatus.Approved));

        Assert.True(await _store.RedeemAsync(request.Id, Now, RefreshToken(), default));
        Assert.False(await _store.RedeemAsync(request.Id, Now, RefreshToken(), default));

        Assert.Equal(AuthenticationRequestStatus.Redeemed, (await _store.FindAsync(request.Id, default))!.Status);
        Assert.Equal(1, _temp.Count("refresh_tokens"));
    }

    [Fact]
    public async Task Pending_or_denied_request_is_not_redeemed()
    {
        var pending = await CreateAsync(TempDatabase.Request(Now));
        var denied = await CreateAsync(TempDatabase.Request(Now, AuthenticationRequestStatus.Denied));

        Assert.False(await _store.RedeemAsync(pending.Id, Now, null, default));
        Assert.False(await _store.RedeemAsync(denied.Id, Now, RefreshToken(), default));
        Assert.Equal(0, _temp.Count("refresh_tokens"));
    }

    [Fact]
    public async Task Expired_approved_request_is_not_redeemed()
    {
        var request = await CreateAsync(TempDatabase.Request(Now, AuthenticationRequestStatus.Approved, lifetime: TimeSpan.FromSeconds(60)));

        Assert.False(await _store.RedeemAsync(request.Id, Now.AddSeconds(60), RefreshToken(), default));
        Assert.Equal(AuthenticationRequestStatus.Approved, (await _store.FindAsync(request.Id, default))!.Status);
        Assert.Equal(0, _temp.Count("refresh_tokens"));
    }

    [Fact]
    public async Task Fifty_concurrent_redemptions_have_exactly_one_winner()
    {
        var request = await CreateAsync(TempDatabase.Request(Now, AuthenticationRequestStatus.Approved));

        var results = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => Task.Run(() =>
            _store.RedeemAsync(request.Id, Now.AddSeconds(1), RefreshToken(), default))));

        Assert.Single(results, r => r);
        Assert.Equal(1, _temp.Count("refresh_tokens"));
    }

    // clean-up

    [Fact]
    public async Task Delete_expired_removes_expired_and_long_redeemed_requests_only()
    {
        var expired = await CreateAsync(TempDatabase.Request(Now.AddMinutes(-10)));
        var redeemed = await CreateAsync(TempDatabase.Request(Now.AddMinutes(-1), AuthenticationRequestStatus.Approved));
        await _store.RedeemAsync(redeemed.Id, Now.AddMinutes(-1), null, default);
        var live = await CreateAsync(TempDatabase.Request(Now));

        var deleted = await _store.DeleteExpiredAsync(Now, default);

        Assert.Equal(2, deleted);
        Assert.Null(await _store.FindAsync(expired.Id, default));
        Assert.Null(await _store.FindAsync(redeemed.Id, default));
        Assert.NotNull(await _store.FindAsync(live.Id, default));
    }
}
