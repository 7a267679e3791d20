using Backchannel.Channels;
using Backchannel.Delivery;
using Backchannel.Diagnostics;
using Backchannel.Json;
using Backchannel.Protocol;
using Backchannel.Storage;

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
/// request; the first decision wins, atomically, so that concurrent callbacks produce one decision.
/// </summary>
public sealed class DeviceCallbackHandler(
    CallbackTokens callbackTokens,
    IAuthenticationRequestStore requests,
    DecisionNotifications notifications,
    OutboxDispatcher dispatcher,
    BackchannelMetrics metrics,
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

        var approved = body.Status == "approved";
        var result = await requests.DecideAsync(transactionId, new AuthenticationDecision(approved, body.Acr, body.Amr),
            time.GetUtcNow(), notifications.Create, cancellationToken);

        switch (result.Outcome)
        {
            case DecisionOutcome.Decided:
                metrics.Decision(approved);
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
}
