using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using Backchannel.Abstractions;
using Backchannel.Channels;
using Backchannel.Domain;
using Backchannel.Events;
using Backchannel.Keys;
using Backchannel.Protocol;
using Backchannel.Users;
using Microsoft.Extensions.Options;

namespace Backchannel.Requests;

/// <summary>
/// The backchannel authentication endpoint's work (CIBA 7): read the parameters (from the form or a signed request),
/// validate them, find the user, check the user_code, choose the channel, store the request together with its device
/// notification, hand the notification to the outbox and acknowledge. The device is never called on the request path.
/// </summary>
public sealed class BackchannelAuthenticationHandler(
    SignedRequestReader signedRequests,
    UserHintResolver hints,
    IUserDirectory users,
    UserRequestRateLimiter rateLimiter,
    IAuthenticationRequestStore requests,
    IOutboxHandOff handOff,
    ChannelSelector channelSelector,
    ChannelRegistry channels,
    SecretSealer sealer,
    RequestEvents events,
    IOptions<CibaOptions> options,
    TimeProvider time)
{
    /// <summary>Each client's policy, made once per client object (a changed client is a new object, so its policy follows).</summary>
    private readonly ConditionalWeakTable<Client, AuthenticationRequestPolicy> _policies = new();
    private readonly CibaOptions _ciba = options.Value;
    private readonly IReadOnlySet<string> _supportedScopes = options.Value.EffectiveScopes.ToHashSet(StringComparer.Ordinal);
    private readonly Regex? _bindingMessagePattern = string.IsNullOrEmpty(options.Value.BindingMessagePattern)
        ? null
        : new Regex(options.Value.BindingMessagePattern, RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(100));

    /// <param name="dpopKeyThumbprint">The DPoP key the request proved (verified): the request's tokens are bound to it.</param>
    public async ValueTask<ProtocolResult<BackchannelAuthenticationResponse>> HandleAsync(RequestParameters form, Client client,
        string? dpopKeyThumbprint, CancellationToken cancellationToken)
    {
        if (!client.MayUse(GrantTypes.Ciba))
        {
            return ProtocolError.UnauthorizedClient($"The client is not registered for the {GrantTypes.Ciba} grant.");
        }

        var raw = await ReadParametersAsync(form, client, cancellationToken);
        if (!raw.Succeeded)
        {
            return raw.Error;
        }

        var validated = BackchannelAuthenticationRequestValidator.Validate(raw.Value, Policy(client));
        if (!validated.Succeeded)
        {
            return validated.Error;
        }

        var parameters = validated.Value;
        if (FapiRules.CheckAuthenticationRequest(client.FapiProfile, client.DeliveryMode, parameters.BindingMessage, parameters.RequestContext) is { } fapiRefused)
        {
            return fapiRefused;
        }

        var resolved = await hints.ResolveAsync(parameters.Hint, client, cancellationToken);
        if (!resolved.Succeeded)
        {
            return resolved.Error;
        }

        var user = resolved.Value.User;
        if (!rateLimiter.TryAcquire(client.ClientId, user.Subject))
        {
            return ProtocolError.AccessDenied("Too many authentication requests for this user; try again in a minute.") with { RetryAfterSeconds = 60 };
        }

        if (parameters.UserCode is { } userCode && !await users.VerifyUserCodeAsync(user, userCode, cancellationToken))
        {
            return new ProtocolError(ErrorCodes.InvalidUserCode, "The user_code is not the user's.");
        }

        var now = time.GetUtcNow();
        var authReqId = RandomIdentifiers.NewAuthReqId();
        var id = RandomIdentifiers.NewSortableId(now);
        var selected = await channelSelector.SelectAsync(user, client, parameters.ExpirySeconds, cancellationToken);
        var request = new AuthenticationRequest
        {
            Id = id,
            AuthReqIdHash = SecretHash.Compute(authReqId),

            // Ping and push notifications carry the auth_req_id, so those requests keep it, sealed.
            SealedAuthReqId = DeliveryModes.Notifies(client.DeliveryMode) ? sealer.Seal(authReqId, SealingContexts.AuthReqId(id)) : null,
            ClientId = client.ClientId,
            Subject = user.Subject,
            Scope = parameters.Scope,
            AcrValues = parameters.AcrValues,
            BindingMessage = parameters.BindingMessage,
            LoginHint = resolved.Value.DisplayHint,
            AuthorizationDetails = parameters.AuthorizationDetails,
            RequestContext = parameters.RequestContext,
            ClientNotificationToken = parameters.ClientNotificationToken,
            DpopKeyThumbprint = dpopKeyThumbprint,
            DeliveryMode = client.DeliveryMode,
            Channel = ChannelList.Join(selected),
            Status = AuthenticationRequestStatus.Pending,
            CreatedAt = now,
            ExpiresAt = now.AddSeconds(parameters.ExpirySeconds),
            IntervalSeconds = PollingInterval(client),
        };

        // One notification per channel. A channel may ask to be notified later (an e-mail delay): its first attempt is
        // scheduled, never slept.
        var notifications = new OutboxMessage[selected.Count];
        for (var i = 0; i < selected.Count; i++)
        {
            notifications[i] = handOff.Lease(new OutboxMessage
            {
                RequestId = request.Id,
                Kind = OutboxKind.DeviceNotification,
                Destination = OutboxMessage.DeviceDestination(selected[i]),
                NextAttemptAt = now.AddSeconds(channels.Settings(selected[i])?.DelaySeconds ?? 0),
                ExpiresAt = request.ExpiresAt,
                CreatedAt = now,
            });
        }

        if (await requests.CreateAsync(request, notifications, _ciba.MaxPendingRequestsPerClient, cancellationToken) is not { } stored)
        {
            return ProtocolError.AccessDenied(
                $"The client has {_ciba.MaxPendingRequestsPerClient} authentication requests pending; let some finish first.") with { RetryAfterSeconds = 60 };
        }

        events.Publish(RequestEvent.For(RequestEventKind.Created, request, now) with { Detail = UserHintKindNames.Of(parameters.Hint.Kind) });
        foreach (var notification in stored)
        {
            handOff.HandOff(notification, request);
        }

        return new BackchannelAuthenticationResponse(authReqId, parameters.ExpirySeconds,
            client.DeliveryMode == DeliveryModes.Push ? null : request.IntervalSeconds);
    }

    private async ValueTask<ProtocolResult<BackchannelAuthenticationParameters>> ReadParametersAsync(RequestParameters form, Client client,
        CancellationToken cancellationToken)
    {
        if (form[Parameters.Request] is { } requestObject)
        {
            return await signedRequests.ReadAsync(requestObject, form, client, cancellationToken);
        }

        if (FapiRules.CheckUnsignedRequest(client.FapiProfile) is { } unsignedRefused)
        {
            return unsignedRefused;
        }

        if (client.RequestSigningAlgorithm is not null)
        {
            return ProtocolError.InvalidRequest(
                "The client registered backchannel_authentication_request_signing_alg: its requests must be signed (the request parameter).");
        }

        return BackchannelAuthenticationParameters.FromForm(form);
    }

    /// <summary>The provider's settings, narrowed by the client's own policy (its metadata) where it has one.</summary>
    private AuthenticationRequestPolicy Policy(Client client) => _policies.GetValue(client, c =>
    {
        var maxExpiry = Math.Min(c.MaxExpirySeconds ?? _ciba.MaxExpirySeconds, _ciba.MaxExpirySeconds);
        return new AuthenticationRequestPolicy
        {
            DeliveryMode = c.DeliveryMode,
            UserCodeRequired = c.UserCodeParameter && _ciba.UserCodeSupported,
            AllowedScopes = c.AllowedScopes,
            SupportedScopes = _supportedScopes,
            DefaultExpirySeconds = Math.Min(c.DefaultExpirySeconds ?? _ciba.DefaultExpirySeconds, maxExpiry),
            MaxExpirySeconds = maxExpiry,
            BindingMessageMaxLength = _ciba.BindingMessageMaxLength,
            BindingMessagePattern = _bindingMessagePattern,
            AllowedHintKinds = c.AllowedHintKinds,
            BindingMessageRequired = c.BindingMessageRequired,
            ClientBindingMessagePattern = c.BindingMessagePattern,
        };
    });

    private int PollingInterval(Client client) => Math.Max(client.PollingIntervalSeconds ?? 0, _ciba.PollingIntervalSeconds);
}
