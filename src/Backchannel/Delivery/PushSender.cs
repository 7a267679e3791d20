using System.Text.Json;
using Backchannel.Abstractions;
using Backchannel.Decisions;
using Backchannel.Domain;
using Backchannel.Events;
using Backchannel.Keys;
using Backchannel.Protocol;
using Microsoft.IdentityModel.JsonWebTokens;

namespace Backchannel.Delivery;

/// <summary>
/// Push mode (CIBA 10.3): delivers the token response sealed in the message when the user approved, or the error
/// (access_denied, expired_token, transaction_failed) otherwise. Pushed tokens are kept, sealed, only until delivered;
/// a push that finally fails revokes its refresh token family and its access token, and fails the request.
/// </summary>
public sealed class PushSender(
    IAuthenticationRequestStore requests,
    IRefreshTokenStore refreshTokens,
    IRevokedAccessTokenStore revokedAccessTokens,
    SecretSealer sealer,
    ClientNotificationPoster poster,
    DecisionService decisions,
    RequestEvents events,
    TimeProvider time) : IOutboxMessageSender
{
    public OutboxKind Kind => OutboxKind.Push;

    public async Task<DeliveryResult> SendAsync(OutboxWork work, CancellationToken cancellationToken)
    {
        var (target, refusal) = await poster.ResolveAsync(work, cancellationToken);
        if (target is null)
        {
            return refusal;
        }

        var request = target.Request;
        var body = work.Message.Payload is { } sealedTokens
            ? await sealer.UnsealAsync(sealedTokens, SealingContexts.PushedTokens(request.Id), cancellationToken)
            : ErrorBody(request, target.AuthReqId);
        if (body is null)
        {
            return new DeliveryResult(DeliveryStatus.Rejected, "the sealed push could not be opened (its key is gone)");
        }

        var result = await poster.PostAsync(target.Endpoint, target.BearerToken, body, cancellationToken);
        if (result.Status == DeliveryStatus.Delivered && work.Message.Payload is not null
            && await requests.MarkDeliveredAsync(request.Id, time.GetUtcNow(), cancellationToken))
        {
            events.Publish(RequestEventKind.Redeemed, request, "push");
        }

        return result;
    }

    public async Task GiveUpAsync(OutboxWork work, DeliveryResult lastResult, CancellationToken cancellationToken)
    {
        if (work.Message.Payload is not { } sealedTokens
            || await sealer.UnsealAsync(sealedTokens, SealingContexts.PushedTokens(work.Message.RequestId), cancellationToken) is not { } body)
        {
            return;
        }

        // Take back what the lost push carried, then tell the client (if it can still be reached) that the transaction failed.
        var tokens = JsonSerializer.Deserialize(body, ProtocolJsonContext.Default.TokenResponse)!;
        if (tokens.RefreshToken is { } refreshToken && await refreshTokens.FindAsync(SecretHash.Compute(refreshToken), cancellationToken) is { } record)
        {
            await refreshTokens.RevokeFamilyAsync(record.FamilyId, time.GetUtcNow(), cancellationToken);
        }

        var accessToken = new JsonWebToken(tokens.AccessToken);
        await revokedAccessTokens.RevokeAsync(accessToken.Id, accessToken.ValidTo, cancellationToken);
        await decisions.FailAsync(work.Message.RequestId, FailureCause.PushUndeliverable, lastResult.Detail, cancellationToken);
    }

    private static byte[] ErrorBody(AuthenticationRequest request, string authReqId)
    {
        var (error, description) = request.Status switch
        {
            AuthenticationRequestStatus.Denied => (ErrorCodes.AccessDenied, "The user denied the authentication request."),
            AuthenticationRequestStatus.Failed => (ErrorCodes.TransactionFailed, "The authentication could not be completed."),
            _ => (ErrorCodes.ExpiredToken, "The authentication request expired before the user answered."),
        };
        return JsonSerializer.SerializeToUtf8Bytes(new PushErrorNotification(authReqId, error, description),
            ProtocolJsonContext.Default.PushErrorNotification);
    }
}
