using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using Backchannel.Channels;
using Backchannel.Clients;
using Backchannel.Configuration;
using Backchannel.Delivery;
using Backchannel.Json;
using Backchannel.Keys;
using Backchannel.Protocol;
using Backchannel.Storage;
using Backchannel.Users;
using Microsoft.Extensions.Options;

namespace Backchannel.Handlers;

/// <summary>
/// The backchannel authentication endpoint's work (CIBA 7): read the parameters (from the form or a signed request),
/// validate them, find the user, check the user_code, store the request together with its device notification, hand
/// the notification to the outbox worker and acknowledge. The device is never called on the request path.
/// </summary>
public sealed class BackchannelAuthenticationHandler(
    SignedRequestReader signedRequests,
    UserHintResolver hints,
    IUserDirectory users,
    UserRequestRateLimiter rateLimiter,
    IAuthenticationRequestStore requests,
    OutboxDispatcher dispatcher,
    ChannelSelector channels,
    SecretSealer sealer,
    IOptions<BackchannelOptions> options,
    TimeProvider time)
{
    private readonly ConcurrentDictionary<string, AuthenticationRequestPolicy> _policies = new(StringComparer.Ordinal);
    private readonly CibaOptions _ciba = options.Value.Ciba;
    private readonly Regex? _bindingMessagePattern = string.IsNullOrEmpty(options.Value.Ciba.BindingMessagePattern)
        ? null
        : new Regex(options.Value.Ciba.BindingMessagePattern, RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(100));

    public async ValueTask<ProtocolResult<BackchannelAuthenticationResponse>> HandleAsync(RequestParameters form, Client client,
        CancellationToken cancellationToken)
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
        var resolved = await hints.ResolveAsync(parameters.Hint, client, cancellationToken);
        if (!resolved.Succeeded)
        {
            return resolved.Error;
        }

        var user = resolved.Value.User;
        if (!rateLimiter.TryAcquire(user.Subject))
        {
            return ProtocolError.AccessDenied("Too many authentication requests for this user; try again in a minute.") with { RetryAfterSeconds = 60 };
        }

        if (parameters.UserCode is { } userCode && !await users.VerifyUserCodeAsync(user, userCode, cancellationToken))
        {
            return new ProtocolError(ErrorCodes.InvalidUserCode, "The user_code is not the user's.");
        }

        var now = time.GetUtcNow();
        var ciba = _ciba;
        var authReqId = RandomIdentifiers.NewAuthReqId();
        var id = RandomIdentifiers.NewSortableId(now);
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
            DeliveryMode = client.DeliveryMode,
            Channel = channels.For(user),
            Status = AuthenticationRequestStatus.Pending,
            CreatedAt = now,
            ExpiresAt = now.AddSeconds(parameters.ExpirySeconds),
            IntervalSeconds = ciba.PollingIntervalSeconds,
        };
        var notification = new OutboxMessage
        {
            RequestId = request.Id,
            Kind = OutboxKind.DeviceNotification,
            NextAttemptAt = now,
            ExpiresAt = request.ExpiresAt,
            CreatedAt = now,
        };

        var stored = await requests.CreateAsync(request, notification, cancellationToken);
        dispatcher.Dispatch(new OutboxWork(stored, request));

        return new BackchannelAuthenticationResponse(authReqId, parameters.ExpirySeconds,
            client.DeliveryMode == DeliveryModes.Push ? null : ciba.PollingIntervalSeconds);
    }

    private async ValueTask<ProtocolResult<BackchannelAuthenticationParameters>> ReadParametersAsync(RequestParameters form, Client client,
        CancellationToken cancellationToken)
    {
        if (form[Parameters.Request] is { } requestObject)
        {
            return await signedRequests.ReadAsync(requestObject, form, client, cancellationToken);
        }

        if (client.RequestSigningAlgorithm is not null)
        {
            return ProtocolError.InvalidRequest(
                $"The client registered backchannel_authentication_request_signing_alg: its requests must be signed (the request parameter).");
        }

        return BackchannelAuthenticationParameters.FromForm(form);
    }

    private AuthenticationRequestPolicy Policy(Client client) => _policies.GetOrAdd(client.ClientId, static (_, state) =>
    {
        var (handler, c) = state;
        var ciba = handler._ciba;
        return new AuthenticationRequestPolicy
        {
            DeliveryMode = c.DeliveryMode,
            UserCodeRequired = c.UserCodeParameter && ciba.UserCodeSupported,
            AllowedScopes = c.AllowedScopes,
            DefaultExpirySeconds = Math.Min(ciba.DefaultExpirySeconds, ciba.MaxExpirySeconds),
            MaxExpirySeconds = ciba.MaxExpirySeconds,
            BindingMessageMaxLength = ciba.BindingMessageMaxLength,
            BindingMessagePattern = handler._bindingMessagePattern,
        };
    }, (this, client));
}
