using System.Threading.Channels;
using Backchannel.Abstractions;
using Backchannel.Domain;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Backchannel.Events;

/// <summary>
/// Writes request events to the audit trail in the store (<see cref="IAuditStore"/>) off the request path: an event is
/// queued in memory when it is published, and the queue is written every <see cref="FlushInterval"/> in batches of up to
/// <see cref="MaxBatch"/>, one transaction each. A flow of 4 or 5 events thus costs the hot path one queue write per
/// event and no database round trip; the store sees one insert of many rows instead of one statement per event.
/// A batch that fails is kept and written again (with backoff) until the store takes it; when the host stops, the
/// queue is written before the store closes, so a restart loses no accepted event. What a crash of the process
/// (SIGKILL, power) takes is the last <see cref="FlushInterval"/> of events; the audit log (<c>Backchannel.Audit</c>)
/// has written each event before it was queued. The queue holds at most <see cref="Capacity"/> events (a store that
/// does not answer for a long while); beyond that an event is not accepted, and the count is logged.
/// </summary>
public sealed partial class AuditTrailWriter(IAuditStore store, TimeProvider time, ILogger<AuditTrailWriter> logger) : BackgroundService
{
    public const int Capacity = 100_000;
    public const int MaxBatch = 1_000;
    public static readonly TimeSpan FlushInterval = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan StopBudget = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan InitialRetryDelay = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(30);

    private readonly Channel<RequestEvent> _queue = Channel.CreateBounded<RequestEvent>(
        new BoundedChannelOptions(Capacity) { FullMode = BoundedChannelFullMode.Wait, SingleReader = false });

    private readonly SemaphoreSlim _writing = new(1, 1);
    private readonly List<RequestEvent> _batch = new(MaxBatch);
    private long _refused;

    /// <summary>Queues an event for the trail; never blocks.</summary>
    public void Record(RequestEvent requestEvent)
    {
        if (!_queue.Writer.TryWrite(requestEvent))
        {
            Interlocked.Increment(ref _refused);
        }
    }

    /// <summary>
    /// Writes every event queued so far, now (the admin API before it reads a trail, the host's stop); throws when the
    /// store does not take them (they stay queued for the next attempt). Waits at most for a write under way.
    /// </summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        await _writing.WaitAsync(cancellationToken);
        try
        {
            await DrainAsync(cancellationToken);
        }
        finally
        {
            _writing.Release();
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var retryDelay = InitialRetryDelay;
        try
        {
            while (_batch.Count > 0 || await _queue.Reader.WaitToReadAsync(stoppingToken))
            {
                // A batching pause, not a time of the protocol: the real clock (a test's frozen clock must not hold it).
                await Task.Delay(FlushInterval, TimeProvider.System, stoppingToken);
                try
                {
                    await FlushAsync(stoppingToken);
                    retryDelay = InitialRetryDelay;
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // The batch stays; the next attempt comes after a pause, without holding the writer (a flush may come first).
                    Log.WriteFailed(logger, _batch.Count, retryDelay, ex);
                    await Task.Delay(retryDelay, time, stoppingToken);
                    retryDelay = retryDelay * 2 > MaxRetryDelay ? MaxRetryDelay : retryDelay * 2;
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: StopAsync writes what is queued.
        }
    }

    /// <summary>Stops the loop, then writes what is queued (within <see cref="StopBudget"/>), before the store closes.</summary>
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        using var budget = new CancellationTokenSource(StopBudget);
        try
        {
            do
            {
                await FlushAsync(budget.Token);
            }
            while (_queue.Reader.Count > 0); // events of requests that ended while the last batch was written
        }
        catch (Exception ex)
        {
            Log.LostAtStop(logger, _batch.Count + _queue.Reader.Count, ex);
        }
    }

    /// <summary>
    /// Writes what the queue holds as it starts, in batches (under <see cref="_writing"/>); what arrives meanwhile waits
    /// for the next flush (written at once, it made a chain of ever smaller writes while events kept coming). A batch that
    /// fails stays in <see cref="_batch"/> for the next attempt.
    /// </summary>
    private async Task DrainAsync(CancellationToken cancellationToken)
    {
        ReportRefused();
        var queued = _queue.Reader.Count;
        while (true)
        {
            while (_batch.Count < MaxBatch && queued > 0 && _queue.Reader.TryRead(out var requestEvent))
            {
                _batch.Add(requestEvent);
                queued--;
            }

            if (_batch.Count == 0)
            {
                return;
            }

            await store.AppendAsync(_batch, cancellationToken);
            _batch.Clear();
        }
    }

    private void ReportRefused()
    {
        var refused = Interlocked.Exchange(ref _refused, 0);
        if (refused > 0)
        {
            Log.Refused(logger, refused, Capacity);
        }
    }

    public override void Dispose()
    {
        _writing.Dispose();
        base.Dispose();
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "Writing {Count} request events to the audit trail failed; trying again in {Delay}")]
        public static partial void WriteFailed(ILogger logger, int count, TimeSpan delay, Exception exception);

        [LoggerMessage(2, LogLevel.Error, "{Count} request events were not written to the audit trail before the store closed (they are in the audit log)")]
        public static partial void LostAtStop(ILogger logger, int count, Exception exception);

        [LoggerMessage(3, LogLevel.Error, "{Count} request events were not recorded in the audit trail: {Capacity} were waiting for a store that did not take them (they are in the audit log)")]
        public static partial void Refused(ILogger logger, long count, int capacity);
    }
}
