using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Backchannel.Abstractions;
using Backchannel.Domain;

namespace Backchannel.Events;

/// <summary>
/// The change feed within one process: each subscriber reads from its own bounded queue (the oldest events are dropped
/// for a subscriber that does not keep up). Publishing with no subscriber costs nothing.
/// </summary>
public sealed class InProcessRequestEventFeed : IRequestEventFeed
{
    private const int SubscriberCapacity = 1024;
    private ImmutableArray<Channel<RequestEvent>> _subscribers = [];

    /// <summary>Whether anything in this process reads the feed (a feed that carries events elsewhere skips the work when not).</summary>
    public bool HasSubscribers => !_subscribers.IsEmpty;

    public void Publish(RequestEvent requestEvent)
    {
        foreach (var subscriber in _subscribers)
        {
            subscriber.Writer.TryWrite(requestEvent);
        }
    }

    public async IAsyncEnumerable<RequestEvent> SubscribeAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var channel = Channel.CreateBounded<RequestEvent>(new BoundedChannelOptions(SubscriberCapacity)
        {
            FullMode = BoundedChannelFullMode.DropOldest,
            SingleReader = true,
        });
        ImmutableInterlocked.Update(ref _subscribers, static (list, c) => list.Add(c), channel);
        try
        {
            while (await channel.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                while (channel.Reader.TryRead(out var requestEvent))
                {
                    yield return requestEvent;
                }
            }
        }
        finally
        {
            ImmutableInterlocked.Update(ref _subscribers, static (list, c) => list.Remove(c), channel);
        }
    }
}
