using Backchannel.Abstractions;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace Backchannel.Delivery;

/// <summary>What a delivery attempt that threw amounts to.</summary>
public static class DeliveryFailures
{
    /// <summary>A failed attempt is transient: a timeout, a connection error, or the destination's circuit is open (try after it closes).</summary>
    public static DeliveryResult FromException(Exception exception) => exception switch
    {
        BrokenCircuitException => new(DeliveryStatus.RetryLater, "the destination keeps failing; its circuit is open"),
        TimeoutRejectedException or TaskCanceledException or OperationCanceledException => new(DeliveryStatus.RetryLater, "timeout"),
        _ => new(DeliveryStatus.RetryLater, exception.Message),
    };
}
