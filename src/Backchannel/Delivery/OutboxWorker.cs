using System.Collections.Concurrent;
using System.Threading.Channels;
using Backchannel.Configuration;
using Backchannel.Diagnostics;
using Backchannel.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Backchannel.Delivery;

/// <summary>
/// Delivers outbox messages: new ones handed over in memory at once, due retries and leftovers of a previous process
/// found by a periodic scan of the store. Retries use <see cref="RetrySchedule"/> within the request's lifetime; a
/// message is removed once delivered or given up, so delivery is at least once and survives restarts.
/// </summary>
public sealed partial class OutboxWorker(
    OutboxDispatcher dispatcher,
    IOutboxStore outbox,
    IEnumerable<IOutboxMessageSender> senders,
    IOptions<BackchannelOptions> options,
    BackchannelMetrics metrics,
    TimeProvider time,
    ILogger<OutboxWorker> logger) : BackgroundService
{
    private static readonly TimeSpan ScanInterval = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(2);

    /// <summary>Delivered messages are removed from the store in batches, this often: one write for many deliveries.</summary>
    private static readonly TimeSpan CompletionFlushInterval = TimeSpan.FromMilliseconds(20);

    private readonly Dictionary<OutboxKind, IOutboxMessageSender> _senders = senders.ToDictionary(s => s.Kind);
    private readonly Channel<long> _delivered = Channel.CreateUnbounded<long>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ConcurrentDictionary<long, byte> _inFlight = new();
    private SemaphoreSlim? _concurrency;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value.Notifications;
        _concurrency = new SemaphoreSlim(settings.MaxConcurrentDeliveries);

        // The embedded store has one node: leases left by a process that died are void.
        await outbox.ReleaseLeasesAsync(stoppingToken);
        var scan = ScanLoopAsync(stoppingToken);
        var completions = CompletionLoopAsync();

        try
        {
            await foreach (var work in dispatcher.Reader.ReadAllAsync(stoppingToken))
            {
                if (!_inFlight.TryAdd(work.Message.Id, 0))
                {
                    continue;
                }

                await _concurrency.WaitAsync(stoppingToken);
                _ = DeliverAsync(work, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }

        await scan;
        _delivered.Writer.TryComplete();
        await completions;
    }

    /// <summary>
    /// Removes delivered messages in batches. A message delivered just before the process dies may still be in the store
    /// and is sent again after the restart: delivery is at least once, as for any crash between sending and recording.
    /// </summary>
    private async Task CompletionLoopAsync()
    {
        var batch = new List<long>();
        while (await _delivered.Reader.WaitToReadAsync())
        {
            await Task.Delay(CompletionFlushInterval, time);
            while (_delivered.Reader.TryRead(out var id))
            {
                batch.Add(id);
            }

            try
            {
                await outbox.CompleteManyAsync(batch, CancellationToken.None);
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
                var due = await outbox.ClaimDueAsync(time.GetUtcNow(), Lease, 500, stoppingToken);
                foreach (var message in due)
                {
                    if (!_inFlight.ContainsKey(message.Id))
                    {
                        dispatcher.Dispatch(new OutboxWork(message, null));
                    }
                }
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

    private async Task DeliverAsync(OutboxWork work, CancellationToken stoppingToken)
    {
        var message = work.Message;
        try
        {
            var sender = _senders[message.Kind];
            var now = time.GetUtcNow();
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
                result = DeliveryResult.FromException(ex);
            }

            var attempts = message.Attempts + 1;
            switch (result.Status)
            {
                case DeliveryStatus.Delivered:
                    _delivered.Writer.TryWrite(message.Id);
                    metrics.NotificationDelivered(message.Kind, attempts, time.GetUtcNow() - message.CreatedAt);
                    break;
                case DeliveryStatus.RetryLater when Schedule().Next(attempts, time.GetUtcNow(), message.ExpiresAt, result.RetryAfter, Random.Shared.NextDouble()) is { } next:
                    await outbox.RescheduleAsync(message.Id, attempts, next, stoppingToken);
                    metrics.NotificationRetried(message.Kind);
                    Log.WillRetry(logger, message.Kind, message.RequestId, attempts, result.Detail, next);
                    break;
                default:
                    await GiveUpAsync(sender, work, result, stoppingToken);
                    break;
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down: the message stays in the outbox and is sent after the restart.
        }
        catch (Exception ex)
        {
            Log.DeliveryFailed(logger, message.Kind, message.RequestId, ex);
        }
        finally
        {
            _inFlight.TryRemove(message.Id, out _);
            _concurrency!.Release();
        }
    }

    private async Task GiveUpAsync(IOutboxMessageSender sender, OutboxWork work, DeliveryResult result, CancellationToken stoppingToken)
    {
        await sender.GiveUpAsync(work, result, stoppingToken);
        await outbox.CompleteAsync(work.Message.Id, stoppingToken);
        metrics.NotificationFailed(work.Message.Kind);
        Log.GaveUp(logger, work.Message.Kind, work.Message.RequestId, work.Message.Attempts + 1, result.Detail);
    }

    private RetrySchedule Schedule()
    {
        var settings = options.Value.Notifications;
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
