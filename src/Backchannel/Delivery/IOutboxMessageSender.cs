using Backchannel.Abstractions;
using Backchannel.Domain;

namespace Backchannel.Delivery;

/// <summary>Delivers one kind of outbox message. The worker owns retries, leases and bookkeeping.</summary>
public interface IOutboxMessageSender
{
    OutboxKind Kind { get; }

    /// <summary>One delivery attempt.</summary>
    Task<DeliveryResult> SendAsync(OutboxWork work, CancellationToken cancellationToken);

    /// <summary>Called once when the message is given up: refused, out of attempts, or its request expired.</summary>
    Task GiveUpAsync(OutboxWork work, DeliveryResult lastResult, CancellationToken cancellationToken);
}
