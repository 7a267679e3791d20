using Backchannel.Abstractions;
using Backchannel.Domain;

namespace Backchannel.Tests.Support;

/// <summary>
/// A subscription to the request-event feed, taken at construction (the feed carries only the events published after
/// it), read one event at a time with a timeout.
/// </summary>
public sealed class EventRecorder : IAsyncDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    private readonly IRequestEventFeed _feed;
    private readonly CancellationTokenSource _subscription = new();
    private readonly IAsyncEnumerator<RequestEvent> _events;
    private Task<bool> _next;

    public EventRecorder(IRequestEventFeed feed)
    {
        _feed = feed;
        _events = feed.SubscribeAsync(_subscription.Token).GetAsyncEnumerator(_subscription.Token);
        // The subscription is registered when the enumeration starts: start it now.
        _next = _events.MoveNextAsync().AsTask();
    }

    /// <summary>The next event published.</summary>
    public async Task<RequestEvent> NextAsync()
    {
        Assert.True(await _next.WaitAsync(Timeout), "the event feed ended");
        var current = _events.Current;
        _next = _events.MoveNextAsync().AsTask();
        return current;
    }

    /// <summary>
    /// The events published until now: a marker event is published, and everything before it is returned (so that "no
    /// more events" is checked without waiting).
    /// </summary>
    public async Task<IReadOnlyList<RequestEvent>> DrainAsync()
    {
        var marker = new RequestEvent
        {
            Kind = RequestEventKind.Viewed,
            RequestId = "marker-" + Guid.NewGuid().ToString("N"),
            ClientId = "marker",
            Subject = "marker",
            At = DateTimeOffset.UnixEpoch,
        };
        _feed.Publish(marker);
        var events = new List<RequestEvent>();
        while (true)
        {
            var next = await NextAsync();
            if (next.RequestId == marker.RequestId)
            {
                return events;
            }

            events.Add(next);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _subscription.CancelAsync();
        try
        {
            await _next.WaitAsync(Timeout);
        }
        catch (OperationCanceledException)
        {
            // The subscription ended.
        }

        await _events.DisposeAsync();
        _subscription.Dispose();
    }
}
