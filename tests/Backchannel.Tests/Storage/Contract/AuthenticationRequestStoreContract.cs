using Backchannel.Abstractions;
using Backchannel.Domain;
using Backchannel.Protocol;

namespace Backchannel.Tests.Storage.Contract;

/// <summary>The contract of <see cref="IAuthenticationRequestStore"/>: storage, polling, and the transitions of <see cref="RequestTransitions"/>.</summary>
public abstract class AuthenticationRequestStoreContract : StoreContract
{
    private static DecisionEffects Notify(AuthenticationRequest request, DateTimeOffset now) =>
        new(StoreData.ClientNotification(request, now), null);

    private async Task<PollResult> PollAsync(AuthenticationRequest request, double seconds)
    {
        // As the token endpoint does: read the request, then record the poll of what was read.
        var current = await Requests.FindAsync(request.Id, CancellationToken.None);
        Assert.NotNull(current);
        return await Requests.RecordPollAsync(current, Now.AddSeconds(seconds), CancellationToken.None);
    }

    private async Task<AuthenticationRequestStatus> StatusAsync(AuthenticationRequest request) =>
        (await Requests.FindAsync(request.Id, CancellationToken.None))!.Status;

    private Task<DecisionResult> DecideAsync(Decision decision, DateTimeOffset now, Func<AuthenticationRequest, DecisionEffects>? effects = null) =>
        Requests.DecideAsync(decision, now, effects ?? (_ => DecisionEffects.None), CancellationToken.None);

    private async Task<bool> RefreshTokenExistsAsync(RefreshTokenRecord token) =>
        await Stores.RefreshTokens.FindAsync(token.TokenHash, CancellationToken.None) is not null;

    // creation and reading

    [Fact]
    public async Task Create_then_find_by_auth_req_id_hash_and_by_id_round_trips_every_field()
    {
        var request = new AuthenticationRequest
        {
            Id = RandomIdentifiers.NewSortableId(Now),
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
            DpopKeyThumbprint = "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs",
            DeliveryMode = DeliveryModes.Ping,
            Channel = "http",
            Status = AuthenticationRequestStatus.Pending,
            CreatedAt = Now,
            ExpiresAt = Now.AddSeconds(300),
            IntervalSeconds = 7,
        };

        var notification = await CreateAsync(request);
        var byHash = await Requests.FindByAuthReqIdHashAsync(SecretHash.Compute("the-auth-req-id"), CancellationToken.None);
        var byId = await Requests.FindAsync(request.Id, CancellationToken.None);

        foreach (var found in new[] { byHash, byId })
        {
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
            Assert.Equal(request.DpopKeyThumbprint, found.DpopKeyThumbprint);
            Assert.Equal(request.DeliveryMode, found.DeliveryMode);
            Assert.Equal(request.Channel, found.Channel);
            Assert.Equal(AuthenticationRequestStatus.Pending, found.Status);
            Assert.Equal(request.CreatedAt, found.CreatedAt);
            Assert.Equal(request.ExpiresAt, found.ExpiresAt);
            Assert.Equal(request.IntervalSeconds, found.IntervalSeconds);
            Assert.Null(found.DecidedAt);
            Assert.Null(found.Acr);
            Assert.Null(found.Amr);
        }

        Assert.True(notification.Id > 0);
        Assert.Equal(request.Id, notification.RequestId);
        Assert.Equal(OutboxKind.DeviceNotification, notification.Kind);

        // The DPoP binding stays with the request through its decision (the push issues tokens bound to it).
        var decided = await DecideAsync(new Decision(request.Id, Approved: true, null, null, "test"), Now.AddSeconds(1));
        Assert.Equal(request.DpopKeyThumbprint, decided.Request!.DpopKeyThumbprint);
    }

    [Fact]
    public async Task Create_stores_nulls_as_nulls()
    {
        var request = StoreData.Request(Now);
        await CreateAsync(request);

        var found = await Requests.FindAsync(request.Id, CancellationToken.None);

        Assert.NotNull(found);
        Assert.Null(found.AcrValues);
        Assert.Null(found.BindingMessage);
        Assert.Null(found.LoginHint);
        Assert.Null(found.AuthorizationDetails);
        Assert.Null(found.RequestContext);
        Assert.Null(found.ClientNotificationToken);
        Assert.Null(found.SealedAuthReqId);
        Assert.Null(found.DpopKeyThumbprint);
    }

    [Fact]
    public async Task Unknown_hash_and_id_find_nothing()
    {
        await PendingAsync();

        Assert.Null(await Requests.FindByAuthReqIdHashAsync(SecretHash.Compute("unknown"), CancellationToken.None));
        Assert.Null(await Requests.FindAsync("unknown", CancellationToken.None));
    }

    [Fact]
    public async Task Create_stores_the_device_notification_with_the_request_and_it_can_be_claimed()
    {
        var first = StoreData.Request(Now);
        var second = StoreData.Request(Now);
        var firstNotification = await CreateAsync(first);
        var secondNotification = await CreateAsync(second);

        var claimed = await Outbox.ClaimDueAsync("node-a", Now, TimeSpan.FromSeconds(30), 10, CancellationToken.None);

        Assert.Equal(2, claimed.Count);
        Assert.NotEqual(firstNotification.Id, secondNotification.Id);
        var message = Assert.Single(claimed, m => m.Id == firstNotification.Id);
        Assert.Equal(first.Id, message.RequestId);
        Assert.Equal(OutboxKind.DeviceNotification, message.Kind);
        Assert.Equal(OutboxMessage.DeviceDestination("http"), message.Destination);
        Assert.Equal(first.ExpiresAt, message.ExpiresAt);
        Assert.Single(claimed, m => m.Id == secondNotification.Id && m.RequestId == second.Id);
    }

    [Fact]
    public async Task Create_with_a_leased_device_notification_keeps_it_from_other_nodes()
    {
        var request = StoreData.Request(Now);
        var notification = (await Requests.CreateAsync(request,
            [StoreData.DeviceNotification(request, Now, leaseOwner: "node-a", lease: TimeSpan.FromSeconds(10))], 0, CancellationToken.None))![0];

        Assert.Empty(await Outbox.ClaimDueAsync("node-b", Now.AddSeconds(9), TimeSpan.FromSeconds(30), 10, CancellationToken.None));
        Assert.True(await Outbox.CompleteAsync(notification.Id, "node-a", CancellationToken.None));
        Assert.Empty(await InspectOutboxAsync());
    }

    [Fact]
    public async Task Duplicate_auth_req_id_fails_and_stores_neither_the_request_nor_its_notification()
    {
        var first = StoreData.Request(Now, authReqId: "same");
        await CreateAsync(first);
        var duplicate = StoreData.Request(Now, authReqId: "same");

        await Assert.ThrowsAnyAsync<Exception>(() => CreateAsync(duplicate));

        Assert.Null(await Requests.FindAsync(duplicate.Id, CancellationToken.None));
        Assert.Equal(first.Id, (await Requests.FindByAuthReqIdHashAsync(SecretHash.Compute("same"), CancellationToken.None))!.Id);
        Assert.Equal(first.Id, Assert.Single(await InspectOutboxAsync()).RequestId);
    }

    [Fact]
    public async Task Requests_survive_a_reopen()
    {
        var request = await PendingAsync();

        await ReopenAsync();

        var found = await Requests.FindByAuthReqIdHashAsync(request.AuthReqIdHash, CancellationToken.None);
        Assert.NotNull(found);
        Assert.Equal(request.Id, found.Id);
        Assert.Single(await OutboxOfAsync(request));
    }

    // a subject's pending requests

    [Fact]
    public async Task Pending_requests_of_a_subject_are_its_undecided_unexpired_ones_oldest_first()
    {
        // Stored out of order, so that the order comes from the store.
        var newest = await PendingAsync(createdAt: Now.AddSeconds(-10));
        var oldest = await PendingAsync(createdAt: Now.AddSeconds(-60));
        var middle = await PendingAsync(createdAt: Now.AddSeconds(-30));
        await PendingAsync(createdAt: Now.AddMinutes(-10)); // expired long ago
        await PendingAsync(createdAt: Now.AddMinutes(-2)); // expires exactly now
        await PendingAsync(createdAt: Now.AddSeconds(-20), subject: "bob");
        var approved = await ApprovedAsync(createdAt: Now.AddSeconds(-40));
        var denied = await PendingAsync(createdAt: Now.AddSeconds(-45));
        Assert.Equal(DecisionOutcome.Decided, (await DecideAsync(StoreData.Denial(denied), Now.AddSeconds(-5))).Outcome);
        var failed = await PendingAsync(createdAt: Now.AddSeconds(-50));
        Assert.NotNull(await Requests.FailAsync(failed.Id, FailureCause.DeviceUnreachable, Now.AddSeconds(-5), _ => null, CancellationToken.None));

        var all = await Requests.ListPendingForSubjectAsync("alice", Now, 10, CancellationToken.None);
        var two = await Requests.ListPendingForSubjectAsync("alice", Now, 2, CancellationToken.None);

        Assert.Equal([oldest.Id, middle.Id, newest.Id], all.Select(r => r.Id));
        Assert.All(all, r => Assert.Equal(AuthenticationRequestStatus.Pending, r.Status));
        Assert.Equal([oldest.Id, middle.Id], two.Select(r => r.Id));
        Assert.DoesNotContain(all, r => r.Id == approved.Id);
        Assert.Empty(await Requests.ListPendingForSubjectAsync("carol", Now, 10, CancellationToken.None));
        Assert.Single(await Requests.ListPendingForSubjectAsync("bob", Now, 10, CancellationToken.None));
    }

    // polling

    [Fact]
    public async Task First_poll_is_fine()
    {
        var request = await PendingAsync();

        Assert.Equal(new PollResult(false, 5), await PollAsync(request, 1));
    }

    [Fact]
    public async Task Poll_sooner_than_the_interval_is_slow_down_and_the_interval_grows_for_later_polls()
    {
        var request = await PendingAsync();

        Assert.Equal(new PollResult(false, 5), await PollAsync(request, 0));
        Assert.Equal(new PollResult(true, 10), await PollAsync(request, 2));
        Assert.Equal(10, (await Requests.FindAsync(request.Id, CancellationToken.None))!.IntervalSeconds);

        // Six seconds after the previous poll: beyond the old interval, within the new one.
        Assert.Equal(new PollResult(true, 15), await PollAsync(request, 8));

        // At the grown interval: fine, and the interval stays grown.
        Assert.Equal(new PollResult(false, 15), await PollAsync(request, 23));
        Assert.Equal(new PollResult(false, 15), await PollAsync(request, 40));
        Assert.Equal(15, (await Requests.FindAsync(request.Id, CancellationToken.None))!.IntervalSeconds);
    }

    [Fact]
    public async Task Polls_at_the_interval_never_slow_down()
    {
        var request = await PendingAsync();

        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(new PollResult(false, 5), await PollAsync(request, 5 * i));
        }

        Assert.Equal(5, (await Requests.FindAsync(request.Id, CancellationToken.None))!.IntervalSeconds);
    }

    [Fact]
    public async Task Polls_of_different_requests_are_independent()
    {
        var first = await PendingAsync();
        var second = await PendingAsync();

        Assert.False((await PollAsync(first, 0)).SlowDown);
        Assert.False((await PollAsync(second, 1)).SlowDown);
        Assert.Equal(5, (await Requests.FindAsync(second.Id, CancellationToken.None))!.IntervalSeconds);
    }

    [Fact]
    public async Task Concurrent_polls_at_one_instant_let_one_through_and_slow_down_the_others()
    {
        var request = await PendingAsync();
        var stored = (await Requests.FindAsync(request.Id, CancellationToken.None))!;

        var results = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => Task.Run(async () =>
            await Requests.RecordPollAsync(stored, Now.AddSeconds(1), CancellationToken.None))));

        Assert.Single(results, r => !r.SlowDown);
        Assert.True((await Requests.FindAsync(request.Id, CancellationToken.None))!.IntervalSeconds >= 10);
    }

    [Fact]
    public async Task A_grown_interval_survives_a_reopen()
    {
        var request = await PendingAsync();
        Assert.False((await PollAsync(request, 0)).SlowDown);
        Assert.Equal(new PollResult(true, 10), await PollAsync(request, 1));

        await ReopenAsync();

        Assert.Equal(10, (await Requests.FindAsync(request.Id, CancellationToken.None))!.IntervalSeconds);
        // A poll at the grown interval is fine, and the one right after it is slow_down from the grown interval.
        Assert.Equal(new PollResult(false, 10), await PollAsync(request, 11));
        Assert.Equal(new PollResult(true, 15), await PollAsync(request, 12));
        Assert.Equal(15, (await Requests.FindAsync(request.Id, CancellationToken.None))!.IntervalSeconds);
    }

    // decisions

    [Fact]
    public async Task Approval_decides_once_and_stores_acr_amr_and_the_notification()
    {
        var request = await PendingAsync(DeliveryModes.Ping);
        var decidedAt = Now.AddSeconds(10);
        var decision = new Decision(request.Id, Approved: true, "urn:acr:high", ["pwd", "otp"], "test");

        var result = await DecideAsync(decision, decidedAt, decided => Notify(decided, decidedAt));

        Assert.Equal(DecisionOutcome.Decided, result.Outcome);
        Assert.NotNull(result.Request);
        Assert.Equal(AuthenticationRequestStatus.Approved, result.Request.Status);
        Assert.Equal(decidedAt, result.Request.DecidedAt);
        Assert.Equal("urn:acr:high", result.Request.Acr);
        Assert.NotNull(result.Notification);
        Assert.True(result.Notification.Id > 0);
        Assert.Equal(OutboxKind.Ping, result.Notification.Kind);

        var stored = await Requests.FindAsync(request.Id, CancellationToken.None);
        Assert.NotNull(stored);
        Assert.Equal(AuthenticationRequestStatus.Approved, stored.Status);
        Assert.Equal(decidedAt, stored.DecidedAt);
        Assert.Equal("urn:acr:high", stored.Acr);
        Assert.Equal(["pwd", "otp"], stored.Amr);

        var ping = Assert.Single(await OutboxOfAsync(request), m => m.Kind == OutboxKind.Ping);
        Assert.Equal(result.Notification.Id, ping.Id);
        Assert.Equal(OutboxMessage.ClientDestination("client-a"), ping.Destination);
    }

    [Fact]
    public async Task Effects_are_made_from_the_request_as_decided()
    {
        var request = await PendingAsync(DeliveryModes.Push);
        AuthenticationRequest? seen = null;

        await DecideAsync(StoreData.Approval(request, acr: "urn:acr:mfa"), Now.AddSeconds(3), decided =>
        {
            seen = decided;
            return DecisionEffects.None;
        });

        Assert.NotNull(seen);
        Assert.Equal(request.Id, seen.Id);
        Assert.Equal(AuthenticationRequestStatus.Approved, seen.Status);
        Assert.Equal("urn:acr:mfa", seen.Acr);
        Assert.Equal(Now.AddSeconds(3), seen.DecidedAt);
        Assert.Equal(request.SealedAuthReqId, seen.SealedAuthReqId);
    }

    [Fact]
    public async Task Denial_is_stored_and_no_effects_store_nothing()
    {
        var request = await PendingAsync();

        var result = await DecideAsync(StoreData.Denial(request), Now);

        Assert.Equal(DecisionOutcome.Decided, result.Outcome);
        Assert.Null(result.Notification);
        Assert.Equal(AuthenticationRequestStatus.Denied, await StatusAsync(request));
        Assert.Equal(OutboxKind.DeviceNotification, Assert.Single(await OutboxOfAsync(request)).Kind);
    }

    [Fact]
    public async Task Second_decision_is_already_decided_and_changes_nothing()
    {
        var request = await PendingAsync(DeliveryModes.Ping);
        await DecideAsync(new Decision(request.Id, true, "urn:acr:a", null, "test"), Now, r => Notify(r, Now));

        var second = await DecideAsync(new Decision(request.Id, false, "urn:acr:b", null, "test"), Now.AddSeconds(1), r => Notify(r, Now));

        Assert.Equal(DecisionOutcome.AlreadyDecided, second.Outcome);
        Assert.Null(second.Notification);
        var stored = await Requests.FindAsync(request.Id, CancellationToken.None);
        Assert.Equal(AuthenticationRequestStatus.Approved, stored!.Status);
        Assert.Equal("urn:acr:a", stored.Acr);
        Assert.Equal(Now, stored.DecidedAt);
        Assert.Single(await OutboxOfAsync(request), m => m.Kind == OutboxKind.Ping);
    }

    [Fact]
    public async Task Decision_at_or_after_expiry_is_expired_and_stores_no_effects()
    {
        var request = await PendingAsync(DeliveryModes.Push, lifetime: TimeSpan.FromSeconds(30));
        var token = StoreData.RefreshToken(Now, "family-expired");

        var atExpiry = await DecideAsync(StoreData.Approval(request), Now.AddSeconds(30), r => new DecisionEffects(StoreData.ClientNotification(r, Now), token));
        var later = await DecideAsync(StoreData.Denial(request), Now.AddSeconds(31), r => Notify(r, Now));

        Assert.Equal(DecisionOutcome.Expired, atExpiry.Outcome);
        Assert.Equal(DecisionOutcome.Expired, later.Outcome);
        Assert.Equal(AuthenticationRequestStatus.Pending, await StatusAsync(request));
        Assert.False(await RefreshTokenExistsAsync(token));
        Assert.Equal(OutboxKind.DeviceNotification, Assert.Single(await OutboxOfAsync(request, Now.AddSeconds(1))).Kind);
    }

    [Fact]
    public async Task Decision_just_before_expiry_is_decided()
    {
        var request = await PendingAsync(lifetime: TimeSpan.FromSeconds(30));

        Assert.Equal(DecisionOutcome.Decided, (await DecideAsync(StoreData.Approval(request), Now.AddSeconds(30).AddMilliseconds(-1))).Outcome);
    }

    [Fact]
    public async Task Decision_on_an_unknown_request_is_not_found_and_stores_no_effects()
    {
        var request = StoreData.Request(Now, deliveryMode: DeliveryModes.Push);
        var token = StoreData.RefreshToken(Now, "family-unknown");

        var result = await DecideAsync(StoreData.Approval(request), Now, r => new DecisionEffects(StoreData.ClientNotification(r, Now), token));

        Assert.Equal(DecisionOutcome.NotFound, result.Outcome);
        Assert.False(await RefreshTokenExistsAsync(token));
        Assert.Empty(await InspectOutboxAsync());
    }

    [Fact]
    public async Task Decision_through_a_channel_decides_only_a_request_of_that_channel()
    {
        var request = await PendingAsync(DeliveryModes.Ping); // channel "http"

        var wrongChannel = await DecideAsync(StoreData.Approval(request) with { Channel = "portal" }, Now, r => Notify(r, Now));
        Assert.Equal(DecisionOutcome.NotFound, wrongChannel.Outcome);
        Assert.Equal(AuthenticationRequestStatus.Pending, await StatusAsync(request));
        Assert.DoesNotContain(await OutboxOfAsync(request), m => m.Kind == OutboxKind.Ping);

        var rightChannel = await DecideAsync(StoreData.Approval(request) with { Channel = "http" }, Now, r => Notify(r, Now));
        Assert.Equal(DecisionOutcome.Decided, rightChannel.Outcome);
        Assert.Equal(AuthenticationRequestStatus.Approved, await StatusAsync(request));

        // Decided now, and still nothing to another channel: its existence is not revealed.
        Assert.Equal(DecisionOutcome.NotFound, (await DecideAsync(StoreData.Denial(request) with { Channel = "portal" }, Now)).Outcome);
        Assert.Equal(DecisionOutcome.AlreadyDecided, (await DecideAsync(StoreData.Denial(request) with { Channel = "http" }, Now)).Outcome);
        Assert.Equal(DecisionOutcome.NotFound, (await DecideAsync(new Decision("unknown", true, null, null, "test") { Channel = "http" }, Now)).Outcome);
    }

    [Fact]
    public async Task A_request_of_several_channels_is_stored_with_one_notification_each_and_each_of_its_channels_may_decide_it_once()
    {
        var request = StoreData.Request(Now, deliveryMode: DeliveryModes.Ping) with { Channel = "app,http,mail-eu" };
        var notifications = request.Channels.Select(channel =>
            StoreData.DeviceNotification(request, Now) with { Destination = OutboxMessage.DeviceDestination(channel) }).ToList();

        var stored = await Requests.CreateAsync(request, notifications, 0, CancellationToken.None);

        Assert.NotNull(stored);
        Assert.Equal(["device:app", "device:http", "device:mail-eu"], stored.Select(m => m.Destination));
        Assert.Equal(3, stored.Select(m => m.Id).Distinct().Count());
        Assert.Equal(stored.Select(m => m.Id).Order(), (await OutboxOfAsync(request)).Select(m => m.Id).Order());
        Assert.Equal("app,http,mail-eu", (await Requests.FindAsync(request.Id, CancellationToken.None))!.Channel);

        // Not a channel of the request (nor a part of one's name): nothing.
        foreach (var other in new[] { "ap", "mail", "portal", "app,http" })
        {
            Assert.Equal(DecisionOutcome.NotFound, (await DecideAsync(StoreData.Approval(request) with { Channel = other }, Now)).Outcome);
        }

        Assert.Equal(DecisionOutcome.Decided, (await DecideAsync(StoreData.Denial(request) with { Channel = "mail-eu" }, Now, r => Notify(r, Now))).Outcome);
        Assert.Equal(DecisionOutcome.AlreadyDecided, (await DecideAsync(StoreData.Approval(request) with { Channel = "app" }, Now)).Outcome);
        Assert.Equal(AuthenticationRequestStatus.Denied, await StatusAsync(request));
    }

    [Fact]
    public async Task A_client_at_its_pending_limit_gets_none_of_several_notifications_stored()
    {
        await PendingAsync();
        var request = StoreData.Request(Now) with { Channel = "app,http" };
        var notifications = request.Channels.Select(channel =>
            StoreData.DeviceNotification(request, Now) with { Destination = OutboxMessage.DeviceDestination(channel) }).ToList();

        Assert.Null(await Requests.CreateAsync(request, notifications, 1, CancellationToken.None));

        Assert.Null(await Requests.FindAsync(request.Id, CancellationToken.None));
        Assert.Empty(await OutboxOfAsync(request));
    }

    [Fact]
    public async Task Fifty_concurrent_decisions_have_exactly_one_winner()
    {
        var request = await PendingAsync(DeliveryModes.Ping);

        var results = await Task.WhenAll(Enumerable.Range(0, 50).Select(i => Task.Run(() =>
            DecideAsync(new Decision(request.Id, i % 2 == 0, $"acr-{i}", null, "test"), Now, r => Notify(r, Now)))));

        var winner = Assert.Single(results, r => r.Outcome == DecisionOutcome.Decided);
        Assert.Equal(49, results.Count(r => r.Outcome == DecisionOutcome.AlreadyDecided));
        var stored = await Requests.FindAsync(request.Id, CancellationToken.None);
        Assert.Equal(winner.Request!.Acr, stored!.Acr);
        Assert.Equal(winner.Request.Status, stored.Status);
        var ping = Assert.Single(await OutboxOfAsync(request), m => m.Kind == OutboxKind.Ping);
        Assert.Equal(winner.Notification!.Id, ping.Id);
    }

    [Fact]
    public async Task Decision_stores_the_pushed_refresh_token_with_it_once()
    {
        var request = await PendingAsync(DeliveryModes.Push);
        var token = StoreData.RefreshToken(Now, "family-1");
        var loser = StoreData.RefreshToken(Now, "family-2");

        var first = await DecideAsync(StoreData.Approval(request), Now, r => new DecisionEffects(StoreData.ClientNotification(r, Now, [1]), token));
        var second = await DecideAsync(StoreData.Approval(request), Now, r => new DecisionEffects(StoreData.ClientNotification(r, Now, [2]), loser));

        Assert.Equal(DecisionOutcome.Decided, first.Outcome);
        Assert.Equal(DecisionOutcome.AlreadyDecided, second.Outcome);
        Assert.True(await RefreshTokenExistsAsync(token));
        Assert.False(await RefreshTokenExistsAsync(loser));
        var push = Assert.Single(await OutboxOfAsync(request), m => m.Kind == OutboxKind.Push);
        Assert.Equal(new byte[] { 1 }, push.Payload);
    }

    [Fact]
    public async Task A_decision_whose_effects_cannot_be_made_is_not_recorded()
    {
        var request = await PendingAsync(DeliveryModes.Push);

        await Assert.ThrowsAsync<InvalidOperationException>(() =>
            DecideAsync(StoreData.Approval(request), Now, _ => throw new InvalidOperationException("sealing failed")));

        Assert.Equal(AuthenticationRequestStatus.Pending, await StatusAsync(request));
        Assert.Equal(DecisionOutcome.Decided, (await DecideAsync(StoreData.Denial(request), Now.AddSeconds(1))).Outcome);
        Assert.Equal(AuthenticationRequestStatus.Denied, await StatusAsync(request));
    }

    [Fact]
    public async Task A_decision_whose_effects_cannot_be_stored_is_not_recorded_and_leaves_no_notification()
    {
        var token = StoreData.RefreshToken(Now, "family-taken");
        var earlier = await ApprovedAsync();
        Assert.True(await Requests.RedeemAsync(earlier.Id, Now, token, CancellationToken.None));
        var request = await PendingAsync(DeliveryModes.Push);

        // The same refresh token hash again: storing the effects fails, and the decision with them.
        await Assert.ThrowsAnyAsync<Exception>(() =>
            DecideAsync(StoreData.Approval(request), Now, r => new DecisionEffects(StoreData.ClientNotification(r, Now), token with { FamilyId = "other" })));

        Assert.Equal(AuthenticationRequestStatus.Pending, await StatusAsync(request));
        Assert.DoesNotContain(await OutboxOfAsync(request), m => m.Kind == OutboxKind.Push);
        Assert.Equal("family-taken", (await Stores.RefreshTokens.FindAsync(token.TokenHash, CancellationToken.None))!.FamilyId);
    }

    // failures

    [Theory]
    [InlineData(FailureCause.DeviceUnreachable, AuthenticationRequestStatus.Pending)]
    [InlineData(FailureCause.DeviceUnreachable, AuthenticationRequestStatus.Approved)]
    [InlineData(FailureCause.DeviceUnreachable, AuthenticationRequestStatus.Denied)]
    [InlineData(FailureCause.DeviceUnreachable, AuthenticationRequestStatus.Redeemed)]
    [InlineData(FailureCause.DeviceUnreachable, AuthenticationRequestStatus.Failed)]
    [InlineData(FailureCause.PushUndeliverable, AuthenticationRequestStatus.Pending)]
    [InlineData(FailureCause.PushUndeliverable, AuthenticationRequestStatus.Approved)]
    [InlineData(FailureCause.PushUndeliverable, AuthenticationRequestStatus.Denied)]
    [InlineData(FailureCause.PushUndeliverable, AuthenticationRequestStatus.Redeemed)]
    [InlineData(FailureCause.PushUndeliverable, AuthenticationRequestStatus.Failed)]
    public async Task A_failure_happens_only_from_the_state_its_cause_leaves(FailureCause cause, AuthenticationRequestStatus from)
    {
        var request = await InStateAsync(from);
        var failAt = Now.AddSeconds(20);
        var pushesBefore = (await OutboxOfAsync(request)).Count(m => m.Kind == OutboxKind.Push);

        var result = await Requests.FailAsync(request.Id, cause, failAt, r => StoreData.ClientNotification(r, failAt), CancellationToken.None);

        var pushes = (await OutboxOfAsync(request)).Where(m => m.Kind == OutboxKind.Push).ToList();
        if (from == RequestTransitions.FailedFrom(cause))
        {
            Assert.NotNull(result);
            Assert.Equal(request.Id, result.Request.Id);
            Assert.Equal(AuthenticationRequestStatus.Failed, result.Request.Status);
            Assert.NotNull(result.Notification);
            Assert.True(result.Notification.Id > 0);
            Assert.Equal(AuthenticationRequestStatus.Failed, await StatusAsync(request));
            Assert.Single(pushes, m => m.Id == result.Notification.Id);
            Assert.Equal(pushesBefore + 1, pushes.Count);
        }
        else
        {
            Assert.Null(result);
            Assert.Equal(from, await StatusAsync(request));
            Assert.Equal(pushesBefore, pushes.Count);
        }
    }

    /// <summary>A push request brought to <paramref name="status"/> the way the provider brings it there.</summary>
    private async Task<AuthenticationRequest> InStateAsync(AuthenticationRequestStatus status)
    {
        var request = await PendingAsync(DeliveryModes.Push);
        switch (status)
        {
            case AuthenticationRequestStatus.Approved:
                Assert.Equal(DecisionOutcome.Decided, (await DecideAsync(StoreData.Approval(request), Now)).Outcome);
                break;
            case AuthenticationRequestStatus.Denied:
                Assert.Equal(DecisionOutcome.Decided, (await DecideAsync(StoreData.Denial(request), Now)).Outcome);
                break;
            case AuthenticationRequestStatus.Redeemed:
                Assert.Equal(DecisionOutcome.Decided, (await DecideAsync(StoreData.Approval(request), Now)).Outcome);
                Assert.True(await Requests.MarkDeliveredAsync(request.Id, Now.AddSeconds(1), CancellationToken.None));
                break;
            case AuthenticationRequestStatus.Failed:
                Assert.NotNull(await Requests.FailAsync(request.Id, FailureCause.DeviceUnreachable, Now, _ => null, CancellationToken.None));
                break;
        }

        Assert.Equal(status, await StatusAsync(request));
        return request;
    }

    [Fact]
    public async Task An_approved_request_whose_device_is_unreachable_is_not_failed_and_can_still_be_redeemed()
    {
        var request = await ApprovedAsync(DeliveryModes.Ping);

        Assert.Null(await Requests.FailAsync(request.Id, FailureCause.DeviceUnreachable, Now, r => StoreData.ClientNotification(r, Now),
            CancellationToken.None));

        Assert.Equal(AuthenticationRequestStatus.Approved, await StatusAsync(request));
        Assert.DoesNotContain(await OutboxOfAsync(request), m => m.Kind == OutboxKind.Ping);
        Assert.True(await Requests.RedeemAsync(request.Id, Now.AddSeconds(1), null, CancellationToken.None));
    }

    [Fact]
    public async Task Failed_request_fails_once_and_can_no_longer_be_decided()
    {
        var request = await PendingAsync(DeliveryModes.Ping);

        var failure = await Requests.FailAsync(request.Id, FailureCause.DeviceUnreachable, Now, r => StoreData.ClientNotification(r, Now),
            CancellationToken.None);
        var again = await Requests.FailAsync(request.Id, FailureCause.DeviceUnreachable, Now, r => StoreData.ClientNotification(r, Now),
            CancellationToken.None);

        Assert.NotNull(failure);
        Assert.Null(again);
        Assert.Equal(DecisionOutcome.AlreadyDecided, (await DecideAsync(StoreData.Approval(request), Now, r => Notify(r, Now))).Outcome);
        Assert.Equal(AuthenticationRequestStatus.Failed, await StatusAsync(request));
        var ping = Assert.Single(await OutboxOfAsync(request), m => m.Kind == OutboxKind.Ping);
        Assert.Equal(failure.Notification!.Id, ping.Id);
    }

    [Fact]
    public async Task A_failure_whose_notification_cannot_be_made_is_not_recorded()
    {
        var request = await PendingAsync(DeliveryModes.Ping);

        await Assert.ThrowsAsync<InvalidOperationException>(() => Requests.FailAsync(request.Id, FailureCause.DeviceUnreachable, Now,
            _ => throw new InvalidOperationException("no notification"), CancellationToken.None));

        Assert.Equal(AuthenticationRequestStatus.Pending, await StatusAsync(request));
    }

    [Fact]
    public async Task Failure_of_an_unknown_request_is_null()
    {
        Assert.Null(await Requests.FailAsync("unknown", FailureCause.DeviceUnreachable, Now, _ => null, CancellationToken.None));
        Assert.Null(await Requests.FailAsync("unknown", FailureCause.PushUndeliverable, Now, _ => null, CancellationToken.None));
    }

    [Fact]
    public async Task Concurrent_failures_and_decisions_have_one_winner()
    {
        var request = await PendingAsync(DeliveryModes.Ping);

        var failures = Enumerable.Range(0, 25).Select(_ => Task.Run(async () =>
            await Requests.FailAsync(request.Id, FailureCause.DeviceUnreachable, Now, r => StoreData.ClientNotification(r, Now),
                CancellationToken.None) is not null));
        var decisions = Enumerable.Range(0, 25).Select(_ => Task.Run(async () =>
            (await DecideAsync(StoreData.Approval(request), Now, r => Notify(r, Now))).Outcome == DecisionOutcome.Decided));
        var wins = await Task.WhenAll(failures.Concat(decisions));

        Assert.Single(wins, w => w);
        Assert.Single(await OutboxOfAsync(request), m => m.Kind == OutboxKind.Ping);
    }

    // expiry notifications (ping and push)

    [Fact]
    public async Task Expired_undecided_ping_and_push_requests_are_claimed_for_notification_once()
    {
        var ping = await PendingAsync(DeliveryModes.Ping, lifetime: TimeSpan.FromSeconds(10));
        var push = await PendingAsync(DeliveryModes.Push, lifetime: TimeSpan.FromSeconds(20));
        var poll = await PendingAsync(DeliveryModes.Poll, lifetime: TimeSpan.FromSeconds(10));
        var approved = await ApprovedAsync(DeliveryModes.Ping, lifetime: TimeSpan.FromSeconds(10));
        var denied = await PendingAsync(DeliveryModes.Push, lifetime: TimeSpan.FromSeconds(10));
        await DecideAsync(StoreData.Denial(denied), Now);
        var failed = await PendingAsync(DeliveryModes.Ping, lifetime: TimeSpan.FromSeconds(10));
        await Requests.FailAsync(failed.Id, FailureCause.DeviceUnreachable, Now, _ => null, CancellationToken.None);
        var live = await PendingAsync(DeliveryModes.Ping, lifetime: TimeSpan.FromSeconds(60));
        var at = Now.AddSeconds(30);

        var claimed = await Requests.ClaimExpiredForNotificationAsync(at, 10, r => StoreData.ClientNotification(r, at), CancellationToken.None);
        var again = await Requests.ClaimExpiredForNotificationAsync(at, 10, r => StoreData.ClientNotification(r, at), CancellationToken.None);

        Assert.Equal(new[] { ping.Id, push.Id }.Order(StringComparer.Ordinal), claimed.Select(c => c.Request.Id).Order(StringComparer.Ordinal));
        Assert.Empty(again);
        foreach (var result in claimed)
        {
            Assert.NotNull(result.Notification);
            Assert.True(result.Notification.Id > 0);
            Assert.Equal(result.Request.DeliveryMode == DeliveryModes.Push ? OutboxKind.Push : OutboxKind.Ping, result.Notification.Kind);
        }

        var outbox = await InspectOutboxAsync(at);
        Assert.Single(outbox, m => m.RequestId == ping.Id && m.Kind == OutboxKind.Ping);
        Assert.Single(outbox, m => m.RequestId == push.Id && m.Kind == OutboxKind.Push);
        Assert.DoesNotContain(outbox, m => m.Kind != OutboxKind.DeviceNotification && m.RequestId != ping.Id && m.RequestId != push.Id);

        // Claimed for good: not again after a reopen, nor later.
        await ReopenAsync();
        var later = await Requests.ClaimExpiredForNotificationAsync(Now.AddMinutes(5), 10, _ => null, CancellationToken.None);
        Assert.Equal([live.Id], later.Select(c => c.Request.Id));
        Assert.Equal(AuthenticationRequestStatus.Pending, await StatusAsync(poll));
        Assert.Equal(AuthenticationRequestStatus.Approved, await StatusAsync(approved));
    }

    [Fact]
    public async Task Expiry_claims_take_at_most_max_earliest_expiry_first()
    {
        var late = await PendingAsync(DeliveryModes.Ping, lifetime: TimeSpan.FromSeconds(20));
        var early = await PendingAsync(DeliveryModes.Push, lifetime: TimeSpan.FromSeconds(10));
        var at = Now.AddMinutes(1);

        var first = await Requests.ClaimExpiredForNotificationAsync(at, 1, r => StoreData.ClientNotification(r, at), CancellationToken.None);
        var second = await Requests.ClaimExpiredForNotificationAsync(at, 1, r => StoreData.ClientNotification(r, at), CancellationToken.None);

        Assert.Equal(early.Id, Assert.Single(first).Request.Id);
        Assert.Equal(late.Id, Assert.Single(second).Request.Id);
    }

    [Fact]
    public async Task Request_expiring_later_is_not_claimed_before_its_expiry()
    {
        var request = await PendingAsync(DeliveryModes.Ping, lifetime: TimeSpan.FromSeconds(30));

        Assert.Empty(await Requests.ClaimExpiredForNotificationAsync(Now.AddSeconds(29), 10, _ => null, CancellationToken.None));
        Assert.Equal(request.Id,
            Assert.Single(await Requests.ClaimExpiredForNotificationAsync(Now.AddSeconds(30), 10, _ => null, CancellationToken.None)).Request.Id);
    }

    [Fact]
    public async Task Expiry_claim_without_a_notification_still_claims_once()
    {
        await PendingAsync(DeliveryModes.Ping, lifetime: TimeSpan.FromSeconds(10));

        var claimed = await Requests.ClaimExpiredForNotificationAsync(Now.AddMinutes(1), 10, _ => null, CancellationToken.None);

        Assert.Null(Assert.Single(claimed).Notification);
        Assert.Empty(await Requests.ClaimExpiredForNotificationAsync(Now.AddMinutes(1), 10, _ => null, CancellationToken.None));
    }

    // redemption

    [Fact]
    public async Task Approved_request_is_redeemed_once_with_its_refresh_token()
    {
        var request = await ApprovedAsync();
        var token = StoreData.RefreshToken(Now, "family-1");
        var second = StoreData.RefreshToken(Now, "family-2");

        Assert.True(await Requests.RedeemAsync(request.Id, Now.AddSeconds(1), token, CancellationToken.None));
        Assert.False(await Requests.RedeemAsync(request.Id, Now.AddSeconds(2), second, CancellationToken.None));

        Assert.Equal(AuthenticationRequestStatus.Redeemed, await StatusAsync(request));
        Assert.True(await RefreshTokenExistsAsync(token));
        Assert.False(await RefreshTokenExistsAsync(second));
    }

    [Fact]
    public async Task Redemption_without_a_refresh_token_stores_none()
    {
        var request = await ApprovedAsync();

        Assert.True(await Requests.RedeemAsync(request.Id, Now.AddSeconds(1), null, CancellationToken.None));
        Assert.Equal(AuthenticationRequestStatus.Redeemed, await StatusAsync(request));
    }

    [Fact]
    public async Task A_redemption_whose_refresh_token_cannot_be_stored_does_not_happen()
    {
        var token = StoreData.RefreshToken(Now, "family-taken");
        var earlier = await ApprovedAsync();
        Assert.True(await Requests.RedeemAsync(earlier.Id, Now, token, CancellationToken.None));
        var request = await ApprovedAsync();

        await Assert.ThrowsAnyAsync<Exception>(() => Requests.RedeemAsync(request.Id, Now.AddSeconds(1), token with { FamilyId = "other" },
            CancellationToken.None));

        Assert.Equal(AuthenticationRequestStatus.Approved, await StatusAsync(request));
        Assert.True(await Requests.RedeemAsync(request.Id, Now.AddSeconds(2), StoreData.RefreshToken(Now, "family-new"), CancellationToken.None));
    }

    [Fact]
    public async Task Pending_denied_failed_or_unknown_request_is_not_redeemed()
    {
        var pending = await PendingAsync();
        var denied = await PendingAsync();
        await DecideAsync(StoreData.Denial(denied), Now);
        var failed = await PendingAsync();
        await Requests.FailAsync(failed.Id, FailureCause.DeviceUnreachable, Now, _ => null, CancellationToken.None);
        var tokens = Enumerable.Range(0, 4).Select(i => StoreData.RefreshToken(Now, $"family-{i}")).ToList();

        Assert.False(await Requests.RedeemAsync(pending.Id, Now, tokens[0], CancellationToken.None));
        Assert.False(await Requests.RedeemAsync(denied.Id, Now, tokens[1], CancellationToken.None));
        Assert.False(await Requests.RedeemAsync(failed.Id, Now, tokens[2], CancellationToken.None));
        Assert.False(await Requests.RedeemAsync("unknown", Now, tokens[3], CancellationToken.None));

        Assert.Equal(AuthenticationRequestStatus.Pending, await StatusAsync(pending));
        Assert.Equal(AuthenticationRequestStatus.Denied, await StatusAsync(denied));
        Assert.Equal(AuthenticationRequestStatus.Failed, await StatusAsync(failed));
        foreach (var token in tokens)
        {
            Assert.False(await RefreshTokenExistsAsync(token));
        }
    }

    [Fact]
    public async Task Expired_approved_request_is_not_redeemed()
    {
        var request = await ApprovedAsync(lifetime: TimeSpan.FromSeconds(60));
        var token = StoreData.RefreshToken(Now, "family-1");

        Assert.False(await Requests.RedeemAsync(request.Id, Now.AddSeconds(60), token, CancellationToken.None));

        Assert.Equal(AuthenticationRequestStatus.Approved, await StatusAsync(request));
        Assert.False(await RefreshTokenExistsAsync(token));
    }

    [Fact]
    public async Task Fifty_concurrent_redemptions_have_exactly_one_winner()
    {
        var request = await ApprovedAsync();
        var tokens = Enumerable.Range(0, 50).Select(i => StoreData.RefreshToken(Now, $"family-{i}")).ToList();

        var results = await Task.WhenAll(tokens.Select(token => Task.Run(() =>
            Requests.RedeemAsync(request.Id, Now.AddSeconds(1), token, CancellationToken.None))));

        var winner = Assert.Single(Enumerable.Range(0, 50), i => results[i]);
        for (var i = 0; i < tokens.Count; i++)
        {
            Assert.Equal(i == winner, await RefreshTokenExistsAsync(tokens[i]));
        }
    }

    [Fact]
    public async Task Delivered_push_request_is_marked_redeemed_only_from_approved()
    {
        var approved = await ApprovedAsync(DeliveryModes.Push);
        var pending = await PendingAsync(DeliveryModes.Push);
        var denied = await PendingAsync(DeliveryModes.Push);
        await DecideAsync(StoreData.Denial(denied), Now);

        Assert.True(await Requests.MarkDeliveredAsync(approved.Id, Now.AddSeconds(1), CancellationToken.None));
        Assert.False(await Requests.MarkDeliveredAsync(approved.Id, Now.AddSeconds(2), CancellationToken.None));
        Assert.False(await Requests.MarkDeliveredAsync(pending.Id, Now.AddSeconds(1), CancellationToken.None));
        Assert.False(await Requests.MarkDeliveredAsync(denied.Id, Now.AddSeconds(1), CancellationToken.None));
        Assert.False(await Requests.MarkDeliveredAsync("unknown", Now.AddSeconds(1), CancellationToken.None));

        Assert.Equal(AuthenticationRequestStatus.Redeemed, await StatusAsync(approved));
        Assert.Equal(AuthenticationRequestStatus.Pending, await StatusAsync(pending));
        Assert.Equal(AuthenticationRequestStatus.Denied, await StatusAsync(denied));
        Assert.False(await Requests.RedeemAsync(approved.Id, Now.AddSeconds(3), null, CancellationToken.None));
    }

    // clean-up

    [Fact]
    public async Task Delete_expired_removes_what_expired_before_the_cutoff_redeemed_or_not_and_nothing_else()
    {
        var expired = await PendingAsync(createdAt: Now.AddMinutes(-10));
        var approvedAndExpired = await ApprovedAsync(createdAt: Now.AddMinutes(-10));
        var redeemedAndExpired = await ApprovedAsync(createdAt: Now.AddMinutes(-10));
        Assert.True(await Requests.RedeemAsync(redeemedAndExpired.Id, Now.AddMinutes(-9), null, CancellationToken.None));
        var redeemedBeforeTheCutoff = await ApprovedAsync(createdAt: Now.AddMinutes(-1));
        Assert.True(await Requests.RedeemAsync(redeemedBeforeTheCutoff.Id, Now.AddSeconds(-30), null, CancellationToken.None));
        var redeemedAfter = await ApprovedAsync(createdAt: Now.AddSeconds(-10));
        Assert.True(await Requests.RedeemAsync(redeemedAfter.Id, Now.AddSeconds(10), null, CancellationToken.None));
        var approved = await ApprovedAsync(createdAt: Now.AddSeconds(-10));
        var live = await PendingAsync();
        var expiringAfterCutoff = await PendingAsync(createdAt: Now.AddSeconds(-119));

        var deleted = await Requests.DeleteExpiredAsync(Now, CancellationToken.None);

        Assert.Equal(3, deleted);
        foreach (var removed in new[] { expired, approvedAndExpired, redeemedAndExpired })
        {
            Assert.Null(await Requests.FindAsync(removed.Id, CancellationToken.None));
            Assert.Null(await Requests.FindByAuthReqIdHashAsync(removed.AuthReqIdHash, CancellationToken.None));
        }

        // A redeemed request is kept until its expiry passed the cutoff, like any other.
        foreach (var kept in new[] { redeemedBeforeTheCutoff, redeemedAfter, approved, live, expiringAfterCutoff })
        {
            Assert.NotNull(await Requests.FindAsync(kept.Id, CancellationToken.None));
        }
    }

    // the pending limit per client

    private async Task<OutboxMessage?> TryCreateAsync(AuthenticationRequest request, int max) =>
        (await Requests.CreateAsync(request, [StoreData.DeviceNotification(request, request.CreatedAt)], max, CancellationToken.None))?[0];

    [Fact]
    public async Task A_client_at_its_pending_limit_gets_nothing_stored_and_other_clients_are_not_affected()
    {
        Assert.NotNull(await TryCreateAsync(StoreData.Request(Now), 2));
        Assert.NotNull(await TryCreateAsync(StoreData.Request(Now), 2));

        var refused = StoreData.Request(Now);
        Assert.Null(await TryCreateAsync(refused, 2));
        Assert.Null(await Requests.FindAsync(refused.Id, CancellationToken.None));
        Assert.DoesNotContain(await InspectOutboxAsync(), message => message.RequestId == refused.Id);

        Assert.NotNull(await TryCreateAsync(StoreData.Request(Now, clientId: "client-b"), 2));
        Assert.NotNull(await TryCreateAsync(StoreData.Request(Now), 0));
    }

    [Fact]
    public async Task Deciding_or_failing_a_request_frees_its_place_under_the_limit()
    {
        var decided = StoreData.Request(Now);
        var failed = StoreData.Request(Now);
        Assert.NotNull(await TryCreateAsync(decided, 2));
        Assert.NotNull(await TryCreateAsync(failed, 2));
        Assert.Null(await TryCreateAsync(StoreData.Request(Now), 2));

        Assert.Equal(DecisionOutcome.Decided, (await Requests.DecideAsync(StoreData.Approval(decided), Now, _ => DecisionEffects.None, CancellationToken.None)).Outcome);
        Assert.NotNull(await TryCreateAsync(StoreData.Request(Now), 2));
        Assert.Null(await TryCreateAsync(StoreData.Request(Now), 2));

        Assert.NotNull(await Requests.FailAsync(failed.Id, FailureCause.DeviceUnreachable, Now, _ => null, CancellationToken.None));
        Assert.NotNull(await TryCreateAsync(StoreData.Request(Now), 2));
    }

    [Fact]
    public async Task Expired_undecided_requests_leave_the_count_when_their_expiry_is_notified_or_they_are_removed()
    {
        var ping = StoreData.Request(Now.AddMinutes(-5), deliveryMode: Backchannel.Protocol.DeliveryModes.Ping);
        var poll = StoreData.Request(Now.AddMinutes(-30));
        Assert.NotNull(await TryCreateAsync(ping, 2));
        Assert.NotNull(await TryCreateAsync(poll, 2));
        Assert.Null(await TryCreateAsync(StoreData.Request(Now), 2));

        // The ping request's expiry is notified: it no longer counts (the poll request still does, until removed).
        Assert.Single(await Requests.ClaimExpiredForNotificationAsync(Now, 10, _ => null, CancellationToken.None));
        Assert.NotNull(await TryCreateAsync(StoreData.Request(Now), 2));
        Assert.Null(await TryCreateAsync(StoreData.Request(Now), 2));

        // Removing the expired poll request (after the retention period) frees its place; removing the notified ping one
        // does not free a second place.
        await Requests.DeleteExpiredAsync(Now.AddMinutes(-1), CancellationToken.None);
        Assert.NotNull(await TryCreateAsync(StoreData.Request(Now), 2));
        Assert.Null(await TryCreateAsync(StoreData.Request(Now), 2));
    }
}
