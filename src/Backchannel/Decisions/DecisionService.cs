using System.Text.Json;
using Backchannel.Abstractions;
using Backchannel.Clients;
using Backchannel.Diagnostics;
using Backchannel.Domain;
using Backchannel.Events;
using Backchannel.Keys;
using Backchannel.Protocol;
using Backchannel.Tokens;
using Microsoft.Extensions.Options;

namespace Backchannel.Decisions;

/// <summary>
/// The one place where a request's outcome is recorded, whatever channel the decision came through: a decision is made
/// once (the store's conditional update), an approved push gets its tokens issued and sealed into the client's
/// notification, the client's ping or push is written in the same transaction and handed to the outbox, and the
/// request's events are published. Failures (a device that refuses, a push that cannot be delivered) and expiries of
/// ping and push requests go through here too.
/// </summary>
public sealed class DecisionService(
    IAuthenticationRequestStore requests,
    ClientCatalog clients,
    TokenIssuer tokens,
    ClientSubjects subjects,
    SecretSealer sealer,
    IOutboxHandOff handOff,
    RequestEvents events,
    BackchannelMetrics metrics,
    IOptions<TokenOptions> tokenOptions,
    IOptions<StorageOptions> storage,
    TimeProvider time)
{
    /// <summary>Records a verified decision; what became of it.</summary>
    public async Task<DecisionOutcome> DecideAsync(Decision decision, CancellationToken cancellationToken)
    {
        Func<AuthenticationRequest, DecisionEffects> effects = decided => new(Notification(decided, null, decided.ExpiresAt), null);

        // Only an approved push needs the request beforehand: its tokens are signed now, outside the store's transaction.
        // Otherwise the notification is made inside the decision's transaction from the request as stored.
        if (decision.Approved && decision.KnownDeliveryMode is null or DeliveryModes.Push)
        {
            var request = await requests.FindAsync(decision.TransactionId, cancellationToken);
            if (request is null || (decision.Channel is not null && !request.UsesChannel(decision.Channel)))
            {
                // A channel learns nothing about requests it does not serve.
                return DecisionOutcome.NotFound;
            }

            if (request.DeliveryMode == DeliveryModes.Push)
            {
                if (!RequestTransitions.CanDecide(request, time.GetUtcNow()))
                {
                    return request.IsExpired(time.GetUtcNow()) ? DecisionOutcome.Expired : DecisionOutcome.AlreadyDecided;
                }

                var pushed = await PushTokensAsync(request, decision, cancellationToken);
                effects = _ => pushed;
            }
        }

        var result = await requests.DecideAsync(decision, time.GetUtcNow(), effects, cancellationToken);
        if (result.Outcome == DecisionOutcome.Decided)
        {
            metrics.Decision(decision.Approved);
            Recorded(result, RequestEvent.For(RequestEventKind.Decided, result.Request!, time.GetUtcNow()) with
            {
                Approved = decision.Approved,
                Channel = decision.Channel ?? result.Request!.Channel,
                Detail = decision.Evidence,
                Device = decision.Device,
            });
        }

        return result.Outcome;
    }

    /// <summary>The evidence of a cancellation, as the store records the denial it is.</summary>
    public const string CancellationEvidence = "admin";

    /// <summary>
    /// Cancels a pending, unexpired request (an operator, through the admin API): it is denied as if the user had denied
    /// it (the poller gets access_denied, a ping client is pinged, a push client gets the access_denied push), and the
    /// audit trail records it as cancelled, with <paramref name="reason"/>.
    /// </summary>
    public async Task<DecisionOutcome> CancelAsync(string requestId, string reason, CancellationToken cancellationToken)
    {
        var cancellation = new Decision(requestId, Approved: false, Acr: null, Amr: null, CancellationEvidence);
        var result = await requests.DecideAsync(cancellation, time.GetUtcNow(),
            decided => new(Notification(decided, null, decided.ExpiresAt), null), cancellationToken);
        if (result.Outcome == DecisionOutcome.Decided)
        {
            Recorded(result, RequestEvent.For(RequestEventKind.Cancelled, result.Request!, time.GetUtcNow()) with { Detail = reason });
        }

        return result.Outcome;
    }

    /// <summary>A recorded decision: its event published, the client's notification handed to the outbox.</summary>
    private void Recorded(DecisionResult result, RequestEvent recorded)
    {
        events.Publish(recorded);
        if (result.Notification is { } notification)
        {
            handOff.HandOff(notification, result.Request);
        }
    }

    /// <summary>Fails a request for <paramref name="cause"/> (if it is still in the state that cause leaves) and tells its client.</summary>
    public async Task<bool> FailAsync(string requestId, FailureCause cause, string? detail, CancellationToken cancellationToken)
    {
        var failure = await requests.FailAsync(requestId, cause, time.GetUtcNow(), failed => Notification(failed, null, failed.ExpiresAt), cancellationToken);
        if (failure is null)
        {
            return false;
        }

        events.Publish(RequestEventKind.Failed, failure.Request, detail is null ? cause.ToString() : $"{cause}: {detail}");
        if (failure.Notification is { } notification)
        {
            handOff.HandOff(notification, failure.Request);
        }

        return true;
    }

    /// <summary>Finds ping and push requests that expired undecided, and tells their clients (once each); how many.</summary>
    public async Task<int> NotifyExpiredAsync(int max, CancellationToken cancellationToken)
    {
        var retention = TimeSpan.FromSeconds(storage.Value.ExpiredRequestRetentionSeconds);
        var expired = await requests.ClaimExpiredForNotificationAsync(time.GetUtcNow(), max,
            request => Notification(request, null, request.ExpiresAt + retention), cancellationToken);
        foreach (var (request, notification) in expired)
        {
            events.Publish(RequestEventKind.Expired, request);
            if (notification is not null)
            {
                handOff.HandOff(notification, request);
            }
        }

        return expired.Count;
    }

    /// <summary>A decision's notification: nothing for poll, a ping, or the error push of a denial or failure.</summary>
    private OutboxMessage? Notification(AuthenticationRequest request, byte[]? sealedTokens, DateTimeOffset deliverBy) =>
        ClientNotificationMessages.For(request, sealedTokens, deliverBy, time.GetUtcNow()) is { } message ? handOff.Lease(message) : null;

    /// <summary>An approved push: the tokens, issued now and sealed into the notification, and the refresh token to store.</summary>
    private async Task<DecisionEffects> PushTokensAsync(AuthenticationRequest request, Decision decision, CancellationToken cancellationToken)
    {
        var authReqId = request.SealedAuthReqId is { } sealedId
            ? await sealer.UnsealStringAsync(sealedId, SealingContexts.AuthReqId(request.Id), cancellationToken)
            : null;
        var client = await clients.FindAsync(request.ClientId, cancellationToken);
        var issued = await tokens.IssueAsync(new TokenGrant
        {
            ClientId = request.ClientId,
            Subject = request.Subject,
            ClientSubject = client is null ? null : await subjects.ForClientAsync(client, request.Subject, cancellationToken),
            Scope = request.Scope,
            AuthorizationDetails = request.AuthorizationDetails,
            AuthTime = time.GetUtcNow(),
            Acr = CibaGrantRules.EffectiveAcr(request with { Acr = decision.Acr }),
            Amr = decision.Amr,
            IncludeRefreshToken = tokenOptions.Value.RefreshTokens && client?.MayUse(GrantTypes.RefreshToken) == true,
            IdTokenSigningAlgorithm = client?.IdTokenSigningAlgorithm,
            PushedAuthReqId = authReqId,

            // Push clients bind their tokens with a DPoP proof at /bc-authorize, the only request they make.
            DpopKeyThumbprint = request.DpopKeyThumbprint,
        }, cancellationToken);
        var payload = sealer.Seal(JsonSerializer.SerializeToUtf8Bytes(issued.ToResponse(), ProtocolJsonContext.Default.TokenResponse),
            SealingContexts.PushedTokens(request.Id));
        var decided = request with { Status = AuthenticationRequestStatus.Approved };
        return new DecisionEffects(Notification(decided, payload, decided.ExpiresAt), issued.RefreshTokenRecord);
    }
}
