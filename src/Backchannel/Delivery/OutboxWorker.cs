using System.Collections.Concurrent;
using System.Threading.Channels;
using Backchannel.Abstractions;
using Backchannel.Diagnostics;
using Backchannel.Domain;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Backchannel.Delivery;

/// <summary>
/// Delivers outbox messages: new ones handed over in memory at once, due retries and messages whose lease ran out (a
/// node that died) found by a periodic scan of the store, which leases them to this node. Device notifications and
/// client notifications go through separate lanes, and each destination has its own concurrency limit (see
/// <see cref="DeliveryScheduler"/>), so that a slow client slows only itself. Retries use <see cref="RetrySchedule"/>
/// within the request's lifetime; a message is removed once delivered or given up, by its lease holder only.
/// </summary>
public sealed partial class OutboxWorker(
    OutboxDispatcher dispatcher,
    IOutboxStore outbox,
    IEnumerable<IOutboxMessageSender> senders,
    NodeIdentity node,
    IOptions<NotificationOptions> options,
    BackchannelMetrics metrics,
    TimeProvider time,
    ILogger<OutboxWorker> logger) : BackgroundService
{
    private static readonly TimeSpan ScanInterval = TimeSpan.FromSeconds(1);
    private const int ScanBatch = 500;

    /// <summary>Messages waiting for one destination beyond this are left in the store for a later scan (bounded memory).</summary>
    private const int MaxWaitingPerDestination = 2_000;

    /// <summary>Delivered messages are removed from the store in batches, this often: one write for many deliveries.</summary>
    private static readonly TimeSpan CompletionFlushInterval = TimeSpan.FromMilliseconds(20);

    private readonly Dictionary<OutboxKind, IOutboxMessageSender> _senders = senders.ToDictionary(s => s.Kind);
    private readonly Channel<long> _delivered = Channel.CreateUnbounded<long>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ConcurrentDictionary<long, byte> _inFlight = new();
    private readonly Lock _schedulerLock = new();
    private DeliveryScheduler? _devices;
    private DeliveryScheduler? _clients;
    private CancellationToken _stopping;

    /// <summary>Messages taken by this node and not finished (sending or waiting for their destination).</summary>
    public int InFlight => _inFlight.Count;

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        // A node restarting under its old identity (the embedded store's single process) sends at once what it held.
        // Before anything is handed off in this life: released later, a fresh hand-off's lease would be voided too.
        await outbox.ReleaseLeasesAsync(node.Id, cancellationToken);
        await base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        _stopping = stoppingToken;
        _devices = new DeliveryScheduler(settings.MaxConcurrentDeliveries, settings.MaxConcurrentDeliveries, MaxWaitingPerDestination);
        _clients = new DeliveryScheduler(settings.MaxConcurrentDeliveries, settings.MaxConcurrentPerDestination, MaxWaitingPerDestination);

        var scan = ScanLoopAsync(stoppingToken);
        var completions = CompletionLoopAsync();
        try
        {
            await foreach (var work in dispatcher.Reader.ReadAllAsync(stoppingToken))
            {
                Enqueue(work);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }

        await scan;
        _delivered.Writer.TryComplete();
        await completions;
    }

    private void Enqueue(OutboxWork work)
    {
        if (!_inFlight.TryAdd(work.Message.Id, 0))
        {
            return;
        }

        bool start, dropped;
        lock (_schedulerLock)
        {
            start = Lane(work).Enqueue(work, out dropped);
        }

        if (start)
        {
            _ = DeliverAsync(work);
        }
        else if (dropped)
        {
            // Its lease runs out and a later scan takes it again.
            _inFlight.TryRemove(work.Message.Id, out _);
        }
    }

    private DeliveryScheduler Lane(OutboxWork work) => work.Message.IsDeviceNotification ? _devices! : _clients!;

    /// <summary>
    /// Removes delivered messages in batches. A message delivered just before the process dies may still be in the store
    /// and is sent again after its lease: delivery is at least once, as for any crash between sending and recording.
    /// </summary>
    private async Task CompletionLoopAsync()
    {
        var batch = new List<long>();
        while (await _delivered.Reader.WaitToReadAsync())
        {
            // A batching pause, not a time of the protocol: always the real clock (a test's frozen clock must not hold it).
            await Task.Delay(CompletionFlushInterval, TimeProvider.System);
            while (_delivered.Reader.TryRead(out var id))
            {
                batch.Add(id);
            }

            try
            {
                await outbox.CompleteManyAsync(batch, node.Id, CancellationToken.None);
            }
            catch (Exception ex)
            {
                Log.CompletionFailed(logger, batch.Count, ex);
            }

            batch.Clear();
        }
    }

    private async Task ScanLoopAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(ScanInterval, time);
        do
        {
            try
            {
                IReadOnlyList<OutboxMessage> due;
                do
                {
                    due = await outbox.ClaimDueAsync(node.Id, time.GetUtcNow(), TimeSpan.FromSeconds(options.Value.LeaseSeconds), ScanBatch, stoppingToken);
                    foreach (var message in due)
                    {
                        dispatcher.Dispatch(new OutboxWork(message, null));
                    }
                }
                while (due.Count == ScanBatch && !stoppingToken.IsCancellationRequested);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                Log.ScanFailed(logger, ex);
            }
        }
        while (await WaitAsync(timer, stoppingToken));
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken stoppingToken)
    {
        try
        {
            return await timer.WaitForNextTickAsync(stoppingToken);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private async Task DeliverAsync(OutboxWork work)
    {
        var stoppingToken = _stopping;
        var message = work.Message;
        try
        {
            var sender = _senders[message.Kind];
            var now = time.GetUtcNow();
            if (message.LeaseUntil is { } leaseUntil && leaseUntil <= now)
            {
                // Waited past its lease: another node may hold it now; a later scan gives it back to whoever claims it.
                return;
            }

            if (now >= message.ExpiresAt)
            {
                await GiveUpAsync(sender, work, new DeliveryResult(DeliveryStatus.RetryLater, "the request expired before delivery"), stoppingToken);
                return;
            }

            DeliveryResult result;
            try
            {
                result = await sender.SendAsync(work, stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                result = DeliveryFailures.FromException(ex);
            }

            var attempts = message.Attempts + 1;
            switch (result.Status)
            {
                case DeliveryStatus.Delivered:
                    _delivered.Writer.TryWrite(message.Id);
                    metrics.NotificationDelivered(message.Kind, time.GetUtcNow() - message.CreatedAt);
                    break;
                case DeliveryStatus.RetryLater when Schedule().Next(attempts, time.GetUtcNow(), message.ExpiresAt, result.RetryAfter, Random.Shared.NextDouble()) is { } next:
                    if (await outbox.RescheduleAsync(message.Id, node.Id, attempts, next, stoppingToken))
                    {
                        metrics.NotificationRetried(message.Kind);
                        Log.WillRetry(logger, message.Kind, message.RequestId, attempts, result.Detail, next);
                    }

                    break;
                default:
                    await GiveUpAsync(sender, work, result, stoppingToken);
                    break;
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down: the message stays in the outbox and is sent once its lease ends.
        }
        catch (Exception ex)
        {
            Log.DeliveryFailed(logger, message.Kind, message.RequestId, ex);
        }
        finally
        {
            _inFlight.TryRemove(message.Id, out _);
            List<OutboxWork> next;
            lock (_schedulerLock)
            {
                next = Lane(work).Complete(work);
            }

            foreach (var started in next)
            {
                _ = DeliverAsync(started);
            }
        }
    }

    private async Task GiveUpAsync(IOutboxMessageSender sender, OutboxWork work, DeliveryResult result, CancellationToken stoppingToken)
    {
        // Only the lease holder gives up (and fails the request): a node fenced off meanwhile leaves it to the new holder.
        if (!await outbox.CompleteAsync(work.Message.Id, node.Id, stoppingToken))
        {
            return;
        }

        await sender.GiveUpAsync(work, result, stoppingToken);
        metrics.NotificationFailed(work.Message.Kind);
        Log.GaveUp(logger, work.Message.Kind, work.Message.RequestId, work.Message.Attempts + 1, result.Detail);
    }

    private RetrySchedule Schedule()
    {
        var settings = options.Value;
        return new RetrySchedule(TimeSpan.FromSeconds(settings.InitialRetryDelaySeconds), TimeSpan.FromSeconds(settings.MaxRetryDelaySeconds),
            settings.MaxAttempts);
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "{Kind} for request {RequestId} failed (attempt {Attempts}: {Detail}); retrying at {Next:O}")]
        public static partial void WillRetry(ILogger logger, OutboxKind kind, string requestId, int attempts, string? detail, DateTimeOffset next);

        [LoggerMessage(2, LogLevel.Warning, "{Kind} for request {RequestId} given up after {Attempts} attempts: {Detail}")]
        public static partial void GaveUp(ILogger logger, OutboxKind kind, string requestId, int attempts, string? detail);

        [LoggerMessage(3, LogLevel.Error, "{Kind} for request {RequestId} failed unexpectedly; it stays in the outbox")]
        public static partial void DeliveryFailed(ILogger logger, OutboxKind kind, string requestId, Exception exception);

        [LoggerMessage(4, LogLevel.Error, "Scanning the outbox failed")]
        public static partial void ScanFailed(ILogger logger, Exception exception);

        [LoggerMessage(5, LogLevel.Warning, "Removing {Count} delivered messages from the outbox failed; they may be sent again")]
        public static partial void CompletionFailed(ILogger logger, int count, Exception exception);
    }
}
