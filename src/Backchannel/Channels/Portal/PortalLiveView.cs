using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Backchannel.Abstractions;

namespace Backchannel.Channels.Portal;

/// <summary>
/// A signed-in user's pending portal requests, as they change: the current list at once, then a new list whenever it
/// changes. The change feed says when to look again (any event about the user); the list itself is always read from the
/// store, and read again every <see cref="RefreshInterval"/> too, since the feed is a hint, not the record (an event
/// another node did not forward is not missed for long).
/// </summary>
public sealed class PortalLiveView(IRequestEventFeed feed, PortalRequests requests, TimeProvider time)
{
    public static readonly TimeSpan RefreshInterval = TimeSpan.FromSeconds(5);

    public async IAsyncEnumerable<IReadOnlyList<PortalRequestView>> WatchAsync(string subject,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

        // Subscribed before the first read: nothing that happens between the two is missed.
        var events = WakeOnEventsAsync(subject, wake.Writer, stop.Token);
        var refresh = WakePeriodicallyAsync(wake.Writer, stop.Token);
        try
        {
            string? shown = null;
            while (true)
            {
                var pending = await requests.PendingAsync(subject, cancellationToken);
                var key = string.Join(' ', pending.Select(r => r.Id));
                if (key != shown)
                {
                    shown = key;
                    yield return pending;
                }

                await wake.Reader.ReadAsync(cancellationToken);
            }
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAll(events, refresh).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    private async Task WakeOnEventsAsync(string subject, ChannelWriter<bool> wake, CancellationToken cancellationToken)
    {
        await foreach (var requestEvent in feed.SubscribeAsync(cancellationToken))
        {
            if (requestEvent.Subject == subject)
            {
                wake.TryWrite(true);
            }
        }
    }

    private async Task WakePeriodicallyAsync(ChannelWriter<bool> wake, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(RefreshInterval, time);
        while (await timer.WaitForNextTickAsync(cancellationToken))
        {
            wake.TryWrite(true);
        }
    }
}
