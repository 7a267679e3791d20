using System.Text.Json;
using System.Text.Json.Serialization;
using System.Threading.Channels;
using Backchannel.Abstractions;
using Backchannel.Domain;
using Backchannel.Events;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Backchannel.Storage.Postgres;

/// <summary>
/// The change feed across the nodes sharing the database. An event published on this node reaches this node's
/// subscribers at once, and the other nodes' through PostgreSQL's NOTIFY on <see cref="Channel"/>; a connection that
/// LISTENs brings the other nodes' events. Events are forwarded only while something on this node reads the feed
/// (long polling, a live view): every node runs the same features, so a node without readers has peers without
/// readers, and the feed then costs no round trip. Forwarding is batched (one statement for all the events queued) and
/// bounded (the oldest are dropped); a reader must therefore treat the feed as a hint to read the store again, never as
/// the record: a long poll that misses its event is answered when its time is up.
/// </summary>
internal sealed partial class PostgresRequestEventFeed(PostgresDatabase database, NodeIdentity node, ILogger<PostgresRequestEventFeed> logger)
    : BackgroundService, IRequestEventFeed
{
    /// <summary>The NOTIFY channel.</summary>
    public const string Channel = "backchannel_events";

    private const int MaxQueued = 10_000;
    private const int MaxBatch = 500;
    private static readonly TimeSpan MaxReconnectDelay = TimeSpan.FromSeconds(5);

    private readonly InProcessRequestEventFeed _local = new();
    private readonly Channel<RequestEvent> _outgoing = System.Threading.Channels.Channel.CreateBounded<RequestEvent>(
        new BoundedChannelOptions(MaxQueued) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });

    public void Publish(RequestEvent requestEvent)
    {
        _local.Publish(requestEvent);
        if (_local.HasSubscribers)
        {
            _outgoing.Writer.TryWrite(requestEvent);
        }
    }

    public IAsyncEnumerable<RequestEvent> SubscribeAsync(CancellationToken cancellationToken) => _local.SubscribeAsync(cancellationToken);

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(ForwardAsync(stoppingToken), ListenAsync(stoppingToken));

    /// <summary>Sends this node's events to the others, as many per statement as are queued.</summary>
    private async Task ForwardAsync(CancellationToken stoppingToken)
    {
        var batch = new List<string>(MaxBatch);
        try
        {
            while (await _outgoing.Reader.WaitToReadAsync(stoppingToken))
            {
                while (batch.Count < MaxBatch && _outgoing.Reader.TryRead(out var requestEvent))
                {
                    batch.Add(JsonSerializer.Serialize(Message.From(requestEvent, node.Id), FeedJsonContext.Default.Message));
                }

                try
                {
                    await database.ExecuteAsync($"SELECT pg_notify('{Channel}', payload) FROM unnest($1::text[]) AS payload",
                        [PostgresParameter.TextArray(batch)], stoppingToken);
                }
                catch (StoreUnavailableException ex)
                {
                    // The other nodes miss these events; their readers look at the store again in their own time.
                    Log.ForwardFailed(logger, batch.Count, ex);
                }

                batch.Clear();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    /// <summary>Brings the other nodes' events to this node's readers; reconnects after the database went away.</summary>
    private async Task ListenAsync(CancellationToken stoppingToken)
    {
        var delay = TimeSpan.FromMilliseconds(200);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                // A session of its own, outside the pool: closed with its LISTEN when it is disposed, never handed to a
                // store still listening (pooled connections are not reset).
                await using var connection = await database.OpenSessionAsync(stoppingToken);
                connection.Notification += (_, e) => Receive(e.Payload);
                await using (var listen = new NpgsqlCommand($"LISTEN {Channel}", connection))
                {
                    await listen.ExecuteNonQueryAsync(stoppingToken);
                }

                delay = TimeSpan.FromMilliseconds(200);
                while (true)
                {
                    await connection.WaitAsync(stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is StoreUnavailableException or NpgsqlException or IOException)
            {
                Log.ListenFailed(logger, delay, ex);
                try
                {
                    await Task.Delay(delay, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                delay = delay * 2 > MaxReconnectDelay ? MaxReconnectDelay : delay * 2;
            }
        }
    }

    private void Receive(string payload)
    {
        Message? message;
        try
        {
            message = JsonSerializer.Deserialize(payload, FeedJsonContext.Default.Message);
        }
        catch (JsonException ex)
        {
            Log.UnreadableEvent(logger, ex);
            return;
        }

        if (message is not null && message.Node != node.Id && Enum.IsDefined(message.Kind))
        {
            _local.Publish(message.ToEvent());
        }
    }

    /// <summary>An event as it travels between nodes: the publishing node and the event.</summary>
    internal sealed record Message(
        [property: JsonPropertyName("node")] string Node,
        [property: JsonPropertyName("kind")] RequestEventKind Kind,
        [property: JsonPropertyName("request")] string RequestId,
        [property: JsonPropertyName("client")] string ClientId,
        [property: JsonPropertyName("sub")] string Subject,
        [property: JsonPropertyName("at")] long AtMs,
        [property: JsonPropertyName("channel")] string? Channel,
        [property: JsonPropertyName("approved")] bool? Approved,
        [property: JsonPropertyName("detail")] string? Detail)
    {
        public static Message From(RequestEvent e, string node) =>
            new(node, e.Kind, e.RequestId, e.ClientId, e.Subject, e.At.ToUnixTimeMilliseconds(), e.Channel, e.Approved, e.Detail);

        public RequestEvent ToEvent() => new()
        {
            Kind = Kind,
            RequestId = RequestId,
            ClientId = ClientId,
            Subject = Subject,
            At = DateTimeOffset.FromUnixTimeMilliseconds(AtMs),
            Channel = Channel,
            Approved = Approved,
            Detail = Detail,
        };
    }

    [JsonSerializable(typeof(Message))]
    internal sealed partial class FeedJsonContext : JsonSerializerContext;

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "Telling the other nodes of {Count} request events failed; they will read the store")]
        public static partial void ForwardFailed(ILogger logger, int count, Exception exception);

        [LoggerMessage(2, LogLevel.Warning, "Listening to the other nodes' request events failed; trying again in {Delay}")]
        public static partial void ListenFailed(ILogger logger, TimeSpan delay, Exception exception);

        [LoggerMessage(3, LogLevel.Warning, "A request event from another node could not be read")]
        public static partial void UnreadableEvent(ILogger logger, Exception exception);
    }
}
