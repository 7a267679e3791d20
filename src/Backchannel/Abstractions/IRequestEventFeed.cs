using Backchannel.Domain;

namespace Backchannel.Abstractions;

/// <summary>
/// The change feed of requests: created, notified, decided, redeemed, expired. The built-in feed is in-process (each
/// node sees its own events); a cross-node implementation can replace it.
/// </summary>
public interface IRequestEventFeed
{
    void Publish(RequestEvent requestEvent);

    /// <summary>The events published from now on, until <paramref name="cancellationToken"/> ends the subscription.</summary>
    IAsyncEnumerable<RequestEvent> SubscribeAsync(CancellationToken cancellationToken);
}
