using Backchannel.Configuration;
using Backchannel.Protocol;
using Backchannel.Storage;
using Microsoft.Extensions.Options;

namespace Backchannel.Delivery;

/// <summary>
/// The outbox messages that tell a ping or push client about its request: after the decision, after a failure, and
/// after the expiry of an undecided request. Poll clients are not notified.
/// </summary>
public sealed class ClientNotifications(IOptions<BackchannelOptions> options, TimeProvider time)
{
    /// <summary>Ping: the request was decided. Push: the sealed token response (approved), or the error (denied).</summary>
    public OutboxMessage? ForDecision(AuthenticationRequest request, byte[]? sealedTokens) =>
        Create(request, sealedTokens, request.ExpiresAt);

    /// <summary>The device could not be reached (or pushed tokens were lost): ping, or push transaction_failed.</summary>
    public OutboxMessage? ForFailure(AuthenticationRequest request) => Create(request, null, request.ExpiresAt);

    /// <summary>An undecided request expired: ping (the client then gets expired_token), or push expired_token.</summary>
    public OutboxMessage ForExpiry(AuthenticationRequest request) =>
        Create(request, null, request.ExpiresAt.AddSeconds(options.Value.Storage.ExpiredRequestRetentionSeconds))!;

    private OutboxMessage? Create(AuthenticationRequest request, byte[]? payload, DateTimeOffset deliverBy)
    {
        var kind = request.DeliveryMode switch
        {
            DeliveryModes.Ping => OutboxKind.Ping,
            DeliveryModes.Push => OutboxKind.Push,
            _ => (OutboxKind?)null,
        };
        if (kind is null)
        {
            return null;
        }

        var now = time.GetUtcNow();
        return new OutboxMessage
        {
            RequestId = request.Id,
            Kind = kind.Value,
            Payload = payload,
            NextAttemptAt = now,
            ExpiresAt = deliverBy > now ? deliverBy : now,
            CreatedAt = now,
        };
    }
}
