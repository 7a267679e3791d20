using Backchannel.Protocol;

namespace Backchannel.Domain;

/// <summary>
/// The outbox messages that tell a ping or push client about its request: after the decision, after a failure, and
/// after the expiry of an undecided request. Poll clients are not notified (null).
/// </summary>
public static class ClientNotificationMessages
{
    /// <summary>Ping: the request was decided. Push: the sealed token response (approved), or the error (denied, failed).</summary>
    public static OutboxMessage? For(AuthenticationRequest request, byte[]? sealedTokens, DateTimeOffset deliverBy, DateTimeOffset now)
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

        return new OutboxMessage
        {
            RequestId = request.Id,
            Kind = kind.Value,
            Destination = OutboxMessage.ClientDestination(request.ClientId),
            Payload = sealedTokens,
            NextAttemptAt = now,
            ExpiresAt = deliverBy > now ? deliverBy : now,
            CreatedAt = now,
        };
    }
}
