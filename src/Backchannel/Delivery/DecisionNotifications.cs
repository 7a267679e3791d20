using Backchannel.Protocol;
using Backchannel.Storage;

namespace Backchannel.Delivery;

/// <summary>
/// The notification a decision causes, stored in the same transaction as the decision: a ping for ping clients, the
/// token response or the error for push clients, nothing for poll clients.
/// </summary>
public sealed class DecisionNotifications(TimeProvider time)
{
    public OutboxMessage? Create(AuthenticationRequest decided)
    {
        var kind = decided.DeliveryMode switch
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
            RequestId = decided.Id,
            Kind = kind.Value,
            NextAttemptAt = now,
            ExpiresAt = decided.ExpiresAt,
            CreatedAt = now,
        };
    }
}
