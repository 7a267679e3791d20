using Backchannel.Domain;
using Backchannel.Storage.Postgres;
using Microsoft.Extensions.DependencyInjection;

namespace Backchannel.Tests.Storage;

/// <summary>The change feed across nodes (LISTEN/NOTIFY): two nodes on one database see each other's request events.</summary>
public sealed class PostgresRequestEventFeedTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);
    private readonly PostgresStoreEngine _engine = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly List<FeedReader> _readers = [];
    private PostgresRequestEventFeed _a = null!;
    private PostgresRequestEventFeed _b = null!;

    public async Task InitializeAsync()
    {
        _a = (await _engine.OpenNodeAsync()).Services.GetRequiredService<PostgresRequestEventFeed>();
        _b = (await _engine.OpenNodeAsync()).Services.GetRequiredService<PostgresRequestEventFeed>();
        await _a.StartAsync(CancellationToken.None);
        await _b.StartAsync(CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        await _stop.CancelAsync();
        foreach (var reader in _readers)
        {
            await reader.DisposeAsync();
        }

        await _a.StopAsync(CancellationToken.None);
        await _b.StopAsync(CancellationToken.None);
        await _engine.DisposeAsync();
        _stop.Dispose();
    }

    private static RequestEvent Decided(string id) => new()
    {
        Kind = RequestEventKind.Decided,
        RequestId = id,
        ClientId = "client-a",
        Subject = "248289761001",
        At = new DateTimeOffset(2030, 1, 2, 3, 4, 5, 678, TimeSpan.Zero),
        Channel = "http",
        Approved = true,
        Detail = "callback_token",
    };

    /// <summary>A reader of <paramref name="feed"/>, subscribed from now until the test ends.</summary>
    private FeedReader Read(PostgresRequestEventFeed feed)
    {
        var reader = new FeedReader(feed.SubscribeAsync(_stop.Token).GetAsyncEnumerator());
        _readers.Add(reader);
        return reader;
    }

    /// <summary>Publishes with <paramref name="publish"/> until <paramref name="reader"/> has an event (the listener may still be starting); that event.</summary>
    private static async Task<RequestEvent> FirstAsync(FeedReader reader, Action publish)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (DateTime.UtcNow < deadline)
        {
            publish();
            if (await reader.NextAsync(TimeSpan.FromMilliseconds(200)) is { } received)
            {
                return received;
            }
        }

        throw new TimeoutException("No event crossed from one node to the other.");
    }

    [Fact]
    public async Task An_event_published_on_one_node_reaches_the_other_nodes_readers_whole()
    {
        var onA = Read(_a);
        var onB = Read(_b);

        var sent = Decided("request-1");
        var received = await FirstAsync(onB, () => _a.Publish(sent));

        Assert.Equal(sent, received);
        Assert.Equal(sent, await onA.NextAsync(Patience));
    }

    [Fact]
    public async Task A_node_reads_its_own_events_once_not_again_from_the_database()
    {
        var onB = Read(_b);
        _ = Read(_a); // A has a reader, so it forwards.
        await FirstAsync(onB, () => _a.Publish(Decided("warm-up")));
        while (await onB.NextAsync(TimeSpan.FromMilliseconds(300)) is not null)
        {
            // Drain B's other warm-up copies.
        }

        var onA = Read(_a);
        _a.Publish(Decided("request-2"));
        _a.Publish(Decided("marker"));

        // B got A's events from the database; A's copies came back by then, had they not been filtered.
        Assert.Equal("request-2", (await onB.NextAsync(Patience))?.RequestId);
        Assert.Equal("marker", (await onB.NextAsync(Patience))?.RequestId);
        var seenOnA = new List<string>();
        while (await onA.NextAsync(TimeSpan.FromMilliseconds(500)) is { } e)
        {
            seenOnA.Add(e.RequestId);
        }

        Assert.Equal(["request-2", "marker"], seenOnA);
    }

    /// <summary>Reads a subscription one event at a time, with a time limit, never two reads at once.</summary>
    private sealed class FeedReader(IAsyncEnumerator<RequestEvent> events) : IAsyncDisposable
    {
        private Task<bool> _next = events.MoveNextAsync().AsTask();

        /// <summary>The next event, or null when none came within <paramref name="wait"/>.</summary>
        public async Task<RequestEvent?> NextAsync(TimeSpan wait)
        {
            if (await Task.WhenAny(_next, Task.Delay(wait)) != _next || !await _next)
            {
                return null;
            }

            var current = events.Current;
            _next = events.MoveNextAsync().AsTask();
            return current;
        }

        public async ValueTask DisposeAsync()
        {
            try
            {
                await _next;
            }
            catch (OperationCanceledException)
            {
                // The subscription ended with the test.
            }

            await events.DisposeAsync();
        }
    }
}
