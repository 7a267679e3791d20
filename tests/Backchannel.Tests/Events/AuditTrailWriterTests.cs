using Backchannel.Abstractions;
using Backchannel.Domain;
using Backchannel.Events;
using Backchannel.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Backchannel.Tests.Events;

/// <summary>The audit trail writer: events queued off the request path, written in batches, kept until the store takes them.</summary>
public class AuditTrailWriterTests
{
    private static RequestEvent Event(int i) => new()
    {
        Kind = RequestEventKind.Created,
        RequestId = $"req-{i}",
        ClientId = "client-a",
        Subject = "alice",
        At = DateTimeOffset.UnixEpoch.AddSeconds(i),
    };

    [Fact]
    public async Task Flush_writes_every_recorded_event_in_order_in_batches()
    {
        var store = new RecordingAuditStore();
        using var writer = new AuditTrailWriter(store, TimeProvider.System, NullLogger<AuditTrailWriter>.Instance);

        for (var i = 0; i < AuditTrailWriter.MaxBatch + 5; i++)
        {
            writer.Record(Event(i));
        }

        await writer.FlushAsync(CancellationToken.None);

        Assert.Equal(Enumerable.Range(0, AuditTrailWriter.MaxBatch + 5).Select(i => $"req-{i}"), store.Written.Select(e => e.RequestId));
        Assert.Equal([AuditTrailWriter.MaxBatch, 5], store.Batches);
    }

    [Fact]
    public async Task Stopping_writes_what_is_queued()
    {
        var store = new RecordingAuditStore();
        using var writer = new AuditTrailWriter(store, TimeProvider.System, NullLogger<AuditTrailWriter>.Instance);
        await writer.StartAsync(CancellationToken.None);

        writer.Record(Event(1));
        writer.Record(Event(2));
        await writer.StopAsync(CancellationToken.None);

        Assert.Equal(["req-1", "req-2"], store.Written.Select(e => e.RequestId));
    }

    [Fact]
    public async Task A_batch_the_store_refuses_is_written_again_until_it_takes_it()
    {
        var store = new RecordingAuditStore { FailuresLeft = 2 };
        var time = new FakeTimeProvider();
        using var writer = new AuditTrailWriter(store, time, NullLogger<AuditTrailWriter>.Instance);
        await writer.StartAsync(CancellationToken.None);

        writer.Record(Event(1));
        await Wait.UntilAsync(() => store.Written.Count == 1, "the batch is written after two failures", time, TimeSpan.FromSeconds(1));
        await writer.StopAsync(CancellationToken.None);

        Assert.Equal(3, store.Attempts);
        Assert.Equal(["req-1"], store.Written.Select(e => e.RequestId));
    }

    [Fact]
    public async Task Events_recorded_while_a_batch_is_written_wait_for_the_next_flush_and_stopping_writes_them()
    {
        var store = new RecordingAuditStore();
        using var writer = new AuditTrailWriter(store, TimeProvider.System, NullLogger<AuditTrailWriter>.Instance);
        var next = 10;
        store.OnAppend = () =>
        {
            if (next < 13)
            {
                writer.Record(Event(next++)); // a request that ends while the batch is written
            }
        };
        writer.Record(Event(1));
        writer.Record(Event(2));

        await writer.FlushAsync(CancellationToken.None);

        // One write of what was queued as the flush started; not a chain of ever smaller writes while events keep coming.
        Assert.Equal([2], store.Batches);
        Assert.Equal(["req-1", "req-2"], store.Written.Select(e => e.RequestId));

        await writer.StopAsync(CancellationToken.None);

        Assert.Equal(["req-1", "req-2", "req-10", "req-11", "req-12"], store.Written.Select(e => e.RequestId));
    }

    [Fact]
    public async Task Beyond_its_capacity_the_queue_refuses_events_without_blocking()
    {
        var store = new RecordingAuditStore();
        using var writer = new AuditTrailWriter(store, TimeProvider.System, NullLogger<AuditTrailWriter>.Instance);

        for (var i = 0; i < AuditTrailWriter.Capacity + 10; i++)
        {
            writer.Record(Event(i));
        }

        await writer.FlushAsync(CancellationToken.None);

        Assert.Equal(AuditTrailWriter.Capacity, store.Written.Count);
        Assert.Equal($"req-{AuditTrailWriter.Capacity - 1}", store.Written[^1].RequestId);
    }

    /// <summary>An audit store that records what it is given, and refuses the first <see cref="FailuresLeft"/> batches.</summary>
    private sealed class RecordingAuditStore : IAuditStore
    {
        private readonly Lock _lock = new();

        public List<RequestEvent> Written { get; } = [];

        public List<int> Batches { get; } = [];

        public int FailuresLeft { get; set; }

        public int Attempts { get; private set; }

        /// <summary>Runs as a batch is written (before it counts as written).</summary>
        public Action? OnAppend { get; set; }

        public Task AppendAsync(IReadOnlyList<RequestEvent> events, CancellationToken cancellationToken)
        {
            lock (_lock)
            {
                Attempts++;
                if (FailuresLeft > 0)
                {
                    FailuresLeft--;
                    throw new StoreUnavailableException("the store does not answer");
                }

                OnAppend?.Invoke();
                Written.AddRange(events);
                Batches.Add(events.Count);
                return Task.CompletedTask;
            }
        }

        public Task<IReadOnlyList<RecordedRequestEvent>> ListForRequestAsync(string requestId, AuditPosition? after, int limit,
            CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<IReadOnlyList<RecordedRequestEvent>> ListForSubjectAsync(string subject, AuditPosition? before, int limit,
            CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<int> DeleteOlderThanAsync(DateTimeOffset cutoff, int max, CancellationToken cancellationToken) => throw new NotSupportedException();
    }
}
