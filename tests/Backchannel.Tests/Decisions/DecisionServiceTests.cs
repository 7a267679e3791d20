using System.Text.Json;
using Backchannel.Abstractions;
using Backchannel.Decisions;
using Backchannel.Delivery;
using Backchannel.Domain;
using Backchannel.Keys;
using Backchannel.Protocol;
using Backchannel.Tests.Support;
using Microsoft.Extensions.Time.Testing;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Backchannel.Tests.Decisions;

public sealed class DecisionServiceTests : IAsyncLifetime
{
    private const string PollClient = "poll-client";
    private const string PingClient = "ping-client";
    private const string PushClient = "push-client";
    private const string PushNoRefreshClient = "push-norefresh-client";
    private const string Subject = "alice-sub";
    private const string Evidence = "test-evidence";
    private const int LeaseSeconds = 45;
    private const int RetentionSeconds = 600;

    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private TestServices _services = null!;
    private EventRecorder _events = null!;

    private DecisionService Decisions => _services.Get<DecisionService>();

    private IAuthenticationRequestStore Requests => _services.Get<IAuthenticationRequestStore>();

    private static CancellationToken None => CancellationToken.None;

    public async Task InitializeAsync()
    {
        var settings = TestSettings.SecretClient(0, PollClient, "poll-secret")
            .Concat(TestSettings.SecretClient(1, PingClient, "ping-secret", mode: "ping"))
            .Concat(TestSettings.SecretClient(2, PushClient, "push-secret", mode: "push"))
            .Concat(TestSettings.SecretClient(3, PushNoRefreshClient, "push-secret-2", mode: "push"))
            .Append(new("Clients:3:grant_types:0", GrantTypes.Ciba))
            .Concat(TestSettings.User(0, Subject, "alice"))
            .Append(new("Notifications:LeaseSeconds", LeaseSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture)))
            .Append(new("Storage:ExpiredRequestRetentionSeconds", RetentionSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        _services = await TestServices.StartAsync(settings, _time);
        _events = new EventRecorder(_services.Get<IRequestEventFeed>());
    }

    public async Task DisposeAsync()
    {
        await _events.DisposeAsync();
        await _services.DisposeAsync();
    }

    [Fact]
    public async Task Approved_push_issues_tokens_seals_them_into_the_notification_and_stores_the_refresh_token()
    {
        var (request, authReqId) = await CreateAsync(DeliveryModes.Push, PushClient);

        var outcome = await Decisions.DecideAsync(new Decision(request.Id, true, "urn:example:mfa", ["pwd", "otp"], Evidence), None);

        Assert.Equal(DecisionOutcome.Decided, outcome);
        var stored = await Requests.FindAsync(request.Id, None);
        Assert.Equal(AuthenticationRequestStatus.Approved, stored!.Status);
        Assert.Equal("urn:example:mfa", stored.Acr);
        Assert.Equal(["pwd", "otp"], stored.Amr);

        var work = Assert.Single(HandedOff());
        var message = work.Message;
        Assert.Equal(OutboxKind.Push, message.Kind);
        Assert.Equal(request.Id, message.RequestId);
        Assert.Equal(OutboxMessage.ClientDestination(PushClient), message.Destination);
        AssertLeasedToThisNode(message);
        Assert.Equal(request.Id, work.Request?.Id);
        Assert.NotNull(_services.FindOutboxRow(message.Id));

        // The token response is sealed to this request's push: nothing else opens it.
        var sealer = _services.Get<SecretSealer>();
        Assert.NotNull(message.Payload);
        Assert.Null(await sealer.UnsealAsync(message.Payload!, SealingContexts.AuthReqId(request.Id), None));
        var plaintext = await sealer.UnsealAsync(message.Payload!, SealingContexts.PushedTokens(request.Id), None);
        Assert.NotNull(plaintext);
        using var response = JsonDocument.Parse(plaintext!);
        var root = response.RootElement;
        Assert.Equal(authReqId, root.GetProperty("auth_req_id").GetString());
        Assert.Equal("Bearer", root.GetProperty("token_type").GetString());

        var keys = _services.Get<KeyManager>().Current.VerificationKeys;
        var accessToken = await Validate(root.GetProperty("access_token").GetString()!, TestServices.Issuer, keys);
        Assert.Equal(Subject, accessToken.Subject);
        Assert.Equal(PushClient, accessToken.GetClaim("client_id").Value);
        var idToken = await Validate(root.GetProperty("id_token").GetString()!, PushClient, keys);
        Assert.Equal(Subject, idToken.Subject);
        Assert.Equal(authReqId, idToken.GetClaim("urn:openid:params:jwt:claim:auth_req_id").Value);
        Assert.Equal("urn:example:mfa", idToken.GetClaim("acr").Value);

        var refreshToken = root.GetProperty("refresh_token").GetString()!;
        var record = await _services.Get<IRefreshTokenStore>().FindAsync(SecretHash.Compute(refreshToken), None);
        Assert.NotNull(record);
        Assert.Equal(PushClient, record!.ClientId);
        Assert.Equal(Subject, record.Subject);
        Assert.Equal(1, _services.Count("SELECT COUNT(*) FROM refresh_tokens"));

        var decided = Assert.Single(await _events.DrainAsync());
        Assert.Equal(RequestEventKind.Decided, decided.Kind);
        Assert.Equal(request.Id, decided.RequestId);
        Assert.Equal(PushClient, decided.ClientId);
        Assert.True(decided.Approved);
        Assert.Equal("http", decided.Channel);
        Assert.Equal(Evidence, decided.Detail);
    }

    [Fact]
    public async Task Approved_push_of_a_client_without_the_refresh_grant_carries_no_refresh_token()
    {
        var (request, _) = await CreateAsync(DeliveryModes.Push, PushNoRefreshClient);

        Assert.Equal(DecisionOutcome.Decided, await Decisions.DecideAsync(Approval(request), None));

        var message = Assert.Single(HandedOff()).Message;
        var plaintext = await _services.Get<SecretSealer>().UnsealAsync(message.Payload!, SealingContexts.PushedTokens(request.Id), None);
        using var response = JsonDocument.Parse(plaintext!);
        Assert.True(response.RootElement.TryGetProperty("access_token", out _));
        Assert.False(response.RootElement.TryGetProperty("refresh_token", out var refresh) && refresh.ValueKind == JsonValueKind.String);
        Assert.Equal(0, _services.Count("SELECT COUNT(*) FROM refresh_tokens"));
    }

    [Theory]
    [InlineData(DeliveryModes.Poll, PollClient)]
    [InlineData(DeliveryModes.Ping, PingClient)]
    [InlineData(DeliveryModes.Push, PushClient)]
    public async Task A_decision_is_made_once(string mode, string clientId)
    {
        var (request, _) = await CreateAsync(mode, clientId);

        Assert.Equal(DecisionOutcome.Decided, await Decisions.DecideAsync(Approval(request), None));
        var handedOff = HandedOff().Count;
        await _events.DrainAsync();

        Assert.Equal(DecisionOutcome.AlreadyDecided, await Decisions.DecideAsync(Denial(request), None));
        Assert.Equal(DecisionOutcome.AlreadyDecided, await Decisions.DecideAsync(Approval(request), None));

        Assert.Equal(AuthenticationRequestStatus.Approved, (await Requests.FindAsync(request.Id, None))!.Status);
        Assert.Empty(HandedOff());
        Assert.Empty(await _events.DrainAsync());
        Assert.Equal(handedOff, ClientNotificationsStored());
    }

    [Fact]
    public async Task Concurrent_approvals_of_a_push_request_have_one_winner_and_one_set_of_tokens()
    {
        var (request, _) = await CreateAsync(DeliveryModes.Push, PushClient);

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 8).Select(i =>
            Task.Run(() => Decisions.DecideAsync(i % 2 == 0 ? Approval(request) : Denial(request), None))));

        Assert.Single(outcomes, o => o == DecisionOutcome.Decided);
        Assert.All(outcomes.Where(o => o != DecisionOutcome.Decided), o => Assert.Equal(DecisionOutcome.AlreadyDecided, o));
        Assert.Single(HandedOff());
        Assert.Equal(1, ClientNotificationsStored());
        var status = (await Requests.FindAsync(request.Id, None))!.Status;
        Assert.Equal(status == AuthenticationRequestStatus.Approved ? 1 : 0, _services.Count("SELECT COUNT(*) FROM refresh_tokens"));
        Assert.Single(await _events.DrainAsync(), e => e.Kind == RequestEventKind.Decided);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_ping_decision_hands_off_a_ping_to_the_client(bool approved)
    {
        var (request, _) = await CreateAsync(DeliveryModes.Ping, PingClient);

        Assert.Equal(DecisionOutcome.Decided, await Decisions.DecideAsync(approved ? Approval(request) : Denial(request), None));

        var message = Assert.Single(HandedOff()).Message;
        Assert.Equal(OutboxKind.Ping, message.Kind);
        Assert.Equal(OutboxMessage.ClientDestination(PingClient), message.Destination);
        Assert.Null(message.Payload);
        AssertLeasedToThisNode(message);
        Assert.Equal(approved ? AuthenticationRequestStatus.Approved : AuthenticationRequestStatus.Denied,
            (await Requests.FindAsync(request.Id, None))!.Status);
        // Ping clients redeem their tokens at the token endpoint: none are issued now.
        Assert.Equal(0, _services.Count("SELECT COUNT(*) FROM refresh_tokens"));
        var decided = Assert.Single(await _events.DrainAsync());
        Assert.Equal(approved, decided.Approved);
    }

    [Fact]
    public async Task A_denied_push_hands_off_the_error_push_without_tokens()
    {
        var (request, _) = await CreateAsync(DeliveryModes.Push, PushClient);

        Assert.Equal(DecisionOutcome.Decided, await Decisions.DecideAsync(Denial(request), None));

        var message = Assert.Single(HandedOff()).Message;
        Assert.Equal(OutboxKind.Push, message.Kind);
        Assert.Null(message.Payload);
        AssertLeasedToThisNode(message);
        Assert.Equal(AuthenticationRequestStatus.Denied, (await Requests.FindAsync(request.Id, None))!.Status);
        Assert.Equal(0, _services.Count("SELECT COUNT(*) FROM refresh_tokens"));
        var decided = Assert.Single(await _events.DrainAsync());
        Assert.Equal(RequestEventKind.Decided, decided.Kind);
        Assert.False(decided.Approved);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_poll_decision_notifies_no_one(bool approved)
    {
        var (request, _) = await CreateAsync(DeliveryModes.Poll, PollClient);

        Assert.Equal(DecisionOutcome.Decided, await Decisions.DecideAsync(approved ? Approval(request) : Denial(request), None));

        Assert.Empty(HandedOff());
        Assert.Equal(0, ClientNotificationsStored());
        Assert.Equal(0, _services.Count("SELECT COUNT(*) FROM refresh_tokens"));
        Assert.Equal(approved ? AuthenticationRequestStatus.Approved : AuthenticationRequestStatus.Denied,
            (await Requests.FindAsync(request.Id, None))!.Status);
        var decided = Assert.Single(await _events.DrainAsync());
        Assert.Equal(RequestEventKind.Decided, decided.Kind);
        Assert.Equal(approved, decided.Approved);
    }

    [Theory]
    [InlineData(DeliveryModes.Poll, PollClient, true)]
    [InlineData(DeliveryModes.Poll, PollClient, false)]
    [InlineData(DeliveryModes.Ping, PingClient, true)]
    [InlineData(DeliveryModes.Ping, PingClient, false)]
    [InlineData(DeliveryModes.Push, PushClient, true)]
    [InlineData(DeliveryModes.Push, PushClient, false)]
    public async Task A_decision_through_another_channel_is_refused(string mode, string clientId, bool approved)
    {
        var (request, _) = await CreateAsync(mode, clientId);
        var decision = (approved ? Approval(request) : Denial(request)) with { Channel = "portal" };

        Assert.Equal(DecisionOutcome.NotFound, await Decisions.DecideAsync(decision, None));

        Assert.Equal(AuthenticationRequestStatus.Pending, (await Requests.FindAsync(request.Id, None))!.Status);
        Assert.Empty(HandedOff());
        Assert.Equal(0, ClientNotificationsStored());
        Assert.Equal(0, _services.Count("SELECT COUNT(*) FROM refresh_tokens"));
        Assert.Empty(await _events.DrainAsync());

        // Through the request's own channel it counts.
        Assert.Equal(DecisionOutcome.Decided, await Decisions.DecideAsync(decision with { Channel = "http" }, None));
    }

    [Theory]
    [InlineData(DeliveryModes.Poll, PollClient, true)]
    [InlineData(DeliveryModes.Ping, PingClient, true)]
    [InlineData(DeliveryModes.Push, PushClient, true)]
    [InlineData(DeliveryModes.Poll, PollClient, false)]
    [InlineData(DeliveryModes.Ping, PingClient, false)]
    [InlineData(DeliveryModes.Push, PushClient, false)]
    public async Task A_decision_through_another_channel_learns_nothing_of_a_decided_or_expired_request(string mode, string clientId, bool decided)
    {
        // The store answers NotFound to a channel that is not the request's, whatever the request's state, so that a
        // channel cannot learn of other channels' requests; the answer must not depend on the delivery mode.
        var (request, _) = await CreateAsync(mode, clientId, TimeSpan.FromSeconds(60));
        if (decided)
        {
            Assert.Equal(DecisionOutcome.Decided, await Decisions.DecideAsync(Denial(request), None));
        }
        else
        {
            _time.Advance(TimeSpan.FromSeconds(61));
        }

        var outcome = await Decisions.DecideAsync(Approval(request) with { Channel = "portal" }, None);

        Assert.Equal(DecisionOutcome.NotFound, outcome);
    }

    [Theory]
    [InlineData(DeliveryModes.Poll, PollClient, true)]
    [InlineData(DeliveryModes.Ping, PingClient, false)]
    [InlineData(DeliveryModes.Push, PushClient, true)]
    [InlineData(DeliveryModes.Push, PushClient, false)]
    public async Task An_expired_request_cannot_be_decided(string mode, string clientId, bool approved)
    {
        var (request, _) = await CreateAsync(mode, clientId, TimeSpan.FromSeconds(60));
        _time.Advance(TimeSpan.FromSeconds(61));

        Assert.Equal(DecisionOutcome.Expired, await Decisions.DecideAsync(approved ? Approval(request) : Denial(request), None));

        Assert.Equal(AuthenticationRequestStatus.Pending, (await Requests.FindAsync(request.Id, None))!.Status);
        Assert.Empty(HandedOff());
        Assert.Equal(0, ClientNotificationsStored());
        Assert.Equal(0, _services.Count("SELECT COUNT(*) FROM refresh_tokens"));
        Assert.Empty(await _events.DrainAsync());
    }

    [Theory]
    [InlineData(true, null)]
    [InlineData(false, null)]
    [InlineData(true, DeliveryModes.Poll)]
    [InlineData(true, DeliveryModes.Push)]
    public async Task A_decision_for_an_unknown_request_is_not_found(bool approved, string? knownMode)
    {
        var decision = new Decision(RandomIdentifiers.NewSortableId(_time.GetUtcNow()), approved, null, null, Evidence) { KnownDeliveryMode = knownMode };

        Assert.Equal(DecisionOutcome.NotFound, await Decisions.DecideAsync(decision, None));

        Assert.Empty(HandedOff());
        Assert.Empty(await _events.DrainAsync());
    }

    [Theory]
    [InlineData(DeliveryModes.Ping, PingClient, OutboxKind.Ping)]
    [InlineData(DeliveryModes.Push, PushClient, OutboxKind.Push)]
    public async Task An_unreachable_device_fails_a_pending_request_and_tells_the_client(string mode, string clientId, OutboxKind kind)
    {
        var (request, _) = await CreateAsync(mode, clientId);

        Assert.True(await Decisions.FailAsync(request.Id, FailureCause.DeviceUnreachable, "HTTP 404", None));

        Assert.Equal(AuthenticationRequestStatus.Failed, (await Requests.FindAsync(request.Id, None))!.Status);
        var message = Assert.Single(HandedOff()).Message;
        Assert.Equal(kind, message.Kind);
        Assert.Equal(request.Id, message.RequestId);
        Assert.Null(message.Payload);
        AssertLeasedToThisNode(message);
        var failed = Assert.Single(await _events.DrainAsync());
        Assert.Equal(RequestEventKind.Failed, failed.Kind);
        Assert.Equal(request.Id, failed.RequestId);
        Assert.Equal("DeviceUnreachable: HTTP 404", failed.Detail);

        // Failed is final: neither a second failure nor a decision changes it.
        Assert.False(await Decisions.FailAsync(request.Id, FailureCause.DeviceUnreachable, null, None));
        Assert.Equal(DecisionOutcome.AlreadyDecided, await Decisions.DecideAsync(Approval(request), None));
        Assert.Empty(HandedOff());
    }

    [Fact]
    public async Task An_unreachable_device_fails_a_poll_request_without_a_notification()
    {
        var (request, _) = await CreateAsync(DeliveryModes.Poll, PollClient);

        Assert.True(await Decisions.FailAsync(request.Id, FailureCause.DeviceUnreachable, null, None));

        Assert.Equal(AuthenticationRequestStatus.Failed, (await Requests.FindAsync(request.Id, None))!.Status);
        Assert.Empty(HandedOff());
        Assert.Equal(0, ClientNotificationsStored());
        var failed = Assert.Single(await _events.DrainAsync());
        Assert.Equal("DeviceUnreachable", failed.Detail);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task An_unreachable_device_does_not_fail_a_decided_request(bool approved)
    {
        var (request, _) = await CreateAsync(DeliveryModes.Ping, PingClient);
        await Decisions.DecideAsync(approved ? Approval(request) : Denial(request), None);
        HandedOff();
        await _events.DrainAsync();

        Assert.False(await Decisions.FailAsync(request.Id, FailureCause.DeviceUnreachable, "late", None));

        Assert.Equal(approved ? AuthenticationRequestStatus.Approved : AuthenticationRequestStatus.Denied,
            (await Requests.FindAsync(request.Id, None))!.Status);
        Assert.Empty(HandedOff());
        Assert.Equal(1, ClientNotificationsStored());
        Assert.Empty(await _events.DrainAsync());
    }

    [Fact]
    public async Task An_undeliverable_push_fails_only_an_approved_request()
    {
        var (request, _) = await CreateAsync(DeliveryModes.Push, PushClient);

        // Pending: there are no tokens to lose.
        Assert.False(await Decisions.FailAsync(request.Id, FailureCause.PushUndeliverable, null, None));
        Assert.Equal(AuthenticationRequestStatus.Pending, (await Requests.FindAsync(request.Id, None))!.Status);
        Assert.Empty(HandedOff());
        Assert.Empty(await _events.DrainAsync());

        Assert.Equal(DecisionOutcome.Decided, await Decisions.DecideAsync(Approval(request), None));
        Assert.NotNull(Assert.Single(HandedOff()).Message.Payload);
        await _events.DrainAsync();

        Assert.True(await Decisions.FailAsync(request.Id, FailureCause.PushUndeliverable, "HTTP 400", None));

        Assert.Equal(AuthenticationRequestStatus.Failed, (await Requests.FindAsync(request.Id, None))!.Status);
        var error = Assert.Single(HandedOff()).Message;
        Assert.Equal(OutboxKind.Push, error.Kind);
        Assert.Null(error.Payload);
        AssertLeasedToThisNode(error);
        var failed = Assert.Single(await _events.DrainAsync());
        Assert.Equal(RequestEventKind.Failed, failed.Kind);
        Assert.Equal("PushUndeliverable: HTTP 400", failed.Detail);
    }

    [Fact]
    public async Task An_undeliverable_push_does_not_fail_a_denied_request()
    {
        var (request, _) = await CreateAsync(DeliveryModes.Push, PushClient);
        await Decisions.DecideAsync(Denial(request), None);
        HandedOff();

        Assert.False(await Decisions.FailAsync(request.Id, FailureCause.PushUndeliverable, null, None));

        Assert.Equal(AuthenticationRequestStatus.Denied, (await Requests.FindAsync(request.Id, None))!.Status);
        Assert.Empty(HandedOff());
    }

    [Fact]
    public async Task Expired_ping_and_push_requests_are_told_once_each()
    {
        var (ping, _) = await CreateAsync(DeliveryModes.Ping, PingClient, TimeSpan.FromSeconds(60));
        var (push, _) = await CreateAsync(DeliveryModes.Push, PushClient, TimeSpan.FromSeconds(60));
        var (poll, _) = await CreateAsync(DeliveryModes.Poll, PollClient, TimeSpan.FromSeconds(60));
        var (decided, _) = await CreateAsync(DeliveryModes.Ping, PingClient, TimeSpan.FromSeconds(60));
        var (unexpired, _) = await CreateAsync(DeliveryModes.Ping, PingClient, TimeSpan.FromMinutes(10));
        Assert.Equal(DecisionOutcome.Decided, await Decisions.DecideAsync(Denial(decided), None));
        HandedOff();
        await _events.DrainAsync();
        _time.Advance(TimeSpan.FromSeconds(61));

        Assert.Equal(2, await Decisions.NotifyExpiredAsync(100, None));

        var messages = HandedOff().Select(w => w.Message).OrderBy(m => m.Kind).ToList();
        Assert.Equal(2, messages.Count);
        Assert.Equal((OutboxKind.Ping, ping.Id), (messages[0].Kind, messages[0].RequestId));
        Assert.Equal((OutboxKind.Push, push.Id), (messages[1].Kind, messages[1].RequestId));
        Assert.All(messages, m =>
        {
            AssertLeasedToThisNode(m);
            Assert.Null(m.Payload);
            // Still worth delivering after the expiry: the client gets expired_token until the request is removed.
            // (The request comes back from the store, which keeps milliseconds.)
            Assert.Equal(ping.ExpiresAt + TimeSpan.FromSeconds(RetentionSeconds), m.ExpiresAt, TimeSpan.FromMilliseconds(1));
        });
        var expired = await _events.DrainAsync();
        Assert.All(expired, e => Assert.Equal(RequestEventKind.Expired, e.Kind));
        Assert.Equal(new[] { ping.Id, push.Id }.Order(), expired.Select(e => e.RequestId).Order());

        // Once each.
        _time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(0, await Decisions.NotifyExpiredAsync(100, None));
        Assert.Empty(HandedOff());
        Assert.Empty(await _events.DrainAsync());
        Assert.Equal(AuthenticationRequestStatus.Pending, (await Requests.FindAsync(poll.Id, None))!.Status);
        Assert.Equal(AuthenticationRequestStatus.Pending, (await Requests.FindAsync(unexpired.Id, None))!.Status);
    }

    [Fact]
    public async Task Expired_requests_are_told_in_batches_of_at_most_max()
    {
        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            ids.Add((await CreateAsync(DeliveryModes.Ping, PingClient, TimeSpan.FromSeconds(30))).Request.Id);
        }

        _time.Advance(TimeSpan.FromSeconds(31));

        Assert.Equal(2, await Decisions.NotifyExpiredAsync(2, None));
        Assert.Equal(1, await Decisions.NotifyExpiredAsync(2, None));
        Assert.Equal(0, await Decisions.NotifyExpiredAsync(2, None));

        Assert.Equal(ids.Order(), HandedOff().Select(w => w.Message.RequestId).Order());
    }

    private async Task<(AuthenticationRequest Request, string AuthReqId)> CreateAsync(string mode, string clientId, TimeSpan? lifetime = null)
    {
        var now = _time.GetUtcNow();
        var authReqId = RandomIdentifiers.NewAuthReqId();
        var id = RandomIdentifiers.NewSortableId(now);
        var notifies = mode != DeliveryModes.Poll;
        var request = new AuthenticationRequest
        {
            Id = id,
            AuthReqIdHash = SecretHash.Compute(authReqId),
            ClientId = clientId,
            Subject = Subject,
            Scope = "openid email",
            DeliveryMode = mode,
            Channel = "http",
            Status = AuthenticationRequestStatus.Pending,
            CreatedAt = now,
            ExpiresAt = now + (lifetime ?? TimeSpan.FromMinutes(5)),
            IntervalSeconds = 5,
            ClientNotificationToken = notifies ? "notification-token-0123456789abcdef" : null,
            SealedAuthReqId = notifies ? _services.Get<SecretSealer>().Seal(authReqId, SealingContexts.AuthReqId(id)) : null,
        };
        await Requests.CreateAsync(request, [new OutboxMessage
        {
            RequestId = id,
            Kind = OutboxKind.DeviceNotification,
            Destination = OutboxMessage.DeviceDestination(request.Channel),
            NextAttemptAt = now,
            ExpiresAt = request.ExpiresAt,
            CreatedAt = now,
        }], 0, None);
        return (request, authReqId);
    }

    private static Decision Approval(AuthenticationRequest request) => new(request.Id, true, null, ["pwd"], Evidence);

    private static Decision Denial(AuthenticationRequest request) => new(request.Id, false, null, null, Evidence);

    /// <summary>What was handed to this node's worker since the last call (the worker is not running: nothing takes it).</summary>
    private List<OutboxWork> HandedOff()
    {
        var work = new List<OutboxWork>();
        while (_services.Get<OutboxDispatcher>().Reader.TryRead(out var next))
        {
            work.Add(next);
        }

        return work;
    }

    /// <summary>Pings and pushes in the store (device notifications aside).</summary>
    private long ClientNotificationsStored() =>
        _services.Count("SELECT COUNT(*) FROM outbox WHERE kind <> $device", ("$device", (int)OutboxKind.DeviceNotification));

    private void AssertLeasedToThisNode(OutboxMessage message)
    {
        Assert.True(message.Id > 0, "the message is stored before it is handed off");
        Assert.Equal(_services.NodeId, message.LeaseOwner);
        Assert.Equal(_time.GetUtcNow().AddSeconds(LeaseSeconds), message.LeaseUntil);
        var row = _services.FindOutboxRow(message.Id);
        Assert.NotNull(row);
        Assert.Equal(_services.NodeId, row!.LeaseOwner);
    }

    private async Task<JsonWebToken> Validate(string token, string audience, IEnumerable<SecurityKey> keys)
    {
        var result = await new JsonWebTokenHandler { MapInboundClaims = false }.ValidateTokenAsync(token, new TokenValidationParameters
        {
            ValidIssuer = TestServices.Issuer,
            ValidAudience = audience,
            IssuerSigningKeys = keys,
            LifetimeValidator = (_, expires, _, _) => expires > _time.GetUtcNow().UtcDateTime,
        });
        Assert.True(result.IsValid, result.Exception?.Message);
        return (JsonWebToken)result.SecurityToken;
    }
}
