using System.Text.Json;
using Backchannel.Channels;
using Backchannel.Clients;
using Backchannel.Configuration;
using Backchannel.Delivery;
using Backchannel.Diagnostics;
using Backchannel.Json;
using Backchannel.Keys;
using Backchannel.Protocol;
using Backchannel.Storage;
using Backchannel.Tokens;
using Microsoft.Extensions.Options;

namespace Backchannel.Handlers;

/// <summary>The outcome of a device callback, as the endpoint answers it.</summary>
public enum CallbackOutcome
{
    /// <summary>204: the decision was recorded.</summary>
    Recorded,

    /// <summary>401: the callback token is not genuine.</summary>
    Unauthorized,

    /// <summary>400 invalid_request: the body is not a decision.</summary>
    InvalidBody,

    /// <summary>400 expired_token: the request expired.</summary>
    Expired,

    /// <summary>409: the request was already decided.</summary>
    AlreadyDecided,
}

/// <summary>
/// Records the user's decision that an authentication device reports at /ciba/callback. The callback token names the
/// request; the first decision wins, atomically, so that concurrent callbacks produce one decision. For ping and push
/// clients the notification is stored with the decision; for an approved push request the tokens are issued now,
/// sealed into that notification.
/// </summary>
public sealed class DeviceCallbackHandler(
    CallbackTokens callbackTokens,
    IAuthenticationRequestStore requests,
    IClientRegistry clients,
    TokenIssuer tokens,
    SecretSealer sealer,
    ClientNotifications notifications,
    OutboxDispatcher dispatcher,
    BackchannelMetrics metrics,
    IOptions<BackchannelOptions> options,
    TimeProvider time)
{
    public async Task<CallbackOutcome> HandleAsync(string? bearerToken, DeviceCallbackBody? body, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(bearerToken))
        {
            return CallbackOutcome.Unauthorized;
        }

        var token = await callbackTokens.ValidateAsync(bearerToken);
        if (token.TransactionId is not { } transactionId)
        {
            return CallbackOutcome.Unauthorized;
        }

        if (token.Expired)
        {
            return CallbackOutcome.Expired;
        }

        if (body?.Status is not ("approved" or "denied") || body.Amr?.Any(string.IsNullOrEmpty) == true)
        {
            return CallbackOutcome.InvalidBody;
        }

        var decision = new AuthenticationDecision(body.Status == "approved", body.Acr, body.Amr);

        // Only an approved push needs the request beforehand: its tokens are signed now, outside the store's writer.
        // Otherwise the notification is made inside the decision's transaction from the request as stored.
        Func<AuthenticationRequest, DecisionEffects> effects = Notify;
        if (decision.Approved && token.DeliveryMode is null or DeliveryModes.Push)
        {
            var request = await requests.FindAsync(transactionId, cancellationToken);
            if (request is null || request.IsExpired(time.GetUtcNow()))
            {
                return CallbackOutcome.Expired;
            }

            if (request.Status != AuthenticationRequestStatus.Pending)
            {
                return CallbackOutcome.AlreadyDecided;
            }

            if (request.DeliveryMode == DeliveryModes.Push)
            {
                var pushed = PushTokens(request, decision);
                effects = decided => pushed;
            }
        }

        var result = await requests.DecideAsync(transactionId, decision, time.GetUtcNow(), effects, cancellationToken);
        switch (result.Outcome)
        {
            case DecisionOutcome.Decided:
                callbackTokens.Forget(bearerToken);
                metrics.Decision(decision.Approved);
                if (result.Notification is { } notification)
                {
                    dispatcher.Dispatch(new OutboxWork(notification, result.Request));
                }

                return CallbackOutcome.Recorded;
            case DecisionOutcome.AlreadyDecided:
                return CallbackOutcome.AlreadyDecided;
            default:
                // Expired, or removed after its expiry.
                return CallbackOutcome.Expired;
        }
    }

    /// <summary>A decision's notification: nothing for poll, a ping, or the error push of a denial.</summary>
    private DecisionEffects Notify(AuthenticationRequest decided) => new(notifications.ForDecision(decided, null), null);

    /// <summary>An approved push: the tokens, issued now and sealed into the notification, and the refresh token to store.</summary>
    private DecisionEffects PushTokens(AuthenticationRequest request, AuthenticationDecision decision)
    {
        var authReqId = request.SealedAuthReqId is { } sealedId ? sealer.UnsealString(sealedId, SealingContexts.AuthReqId(request.Id)) : null;
        var client = clients.Find(request.ClientId);
        var issued = tokens.Issue(new TokenGrant
        {
            ClientId = request.ClientId,
            Subject = request.Subject,
            Scope = request.Scope,
            AuthTime = time.GetUtcNow(),
            Acr = CibaGrantRules.EffectiveAcr(request with { Acr = decision.Acr }),
            Amr = decision.Amr,
            IncludeRefreshToken = options.Value.Tokens.RefreshTokens && client?.MayUse(GrantTypes.RefreshToken) == true,
            PushedAuthReqId = authReqId,
        });
        var payload = sealer.Seal(JsonSerializer.SerializeToUtf8Bytes(issued.Response, BackchannelJsonContext.Default.TokenResponse),
            SealingContexts.PushedTokens(request.Id));
        var decided = request with { Status = AuthenticationRequestStatus.Approved };
        return new DecisionEffects(notifications.ForDecision(decided, payload), issued.RefreshToken);
    }
}
