using System.Diagnostics.Metrics;
using Backchannel.Abstractions;
using Backchannel.Diagnostics;
using Backchannel.Domain;
using Backchannel.Keys;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Backchannel.Hosting;

/// <summary>
/// The gauges operators watch: pending requests and the outbox backlog per kind (read from the store every
/// <see cref="SampleInterval"/>, never on a request's path), and when the current token signing key is next replaced.
/// </summary>
internal sealed partial class StoreGauges : BackgroundService
{
    public static readonly TimeSpan SampleInterval = TimeSpan.FromSeconds(15);

    private readonly IStoreStatistics _statistics;
    private readonly ReadinessState _readiness;
    private readonly TimeProvider _time;
    private readonly ILogger<StoreGauges> _logger;
    private StoreStatistics _last = new(0, 0, 0, 0);

    public StoreGauges(BackchannelMetrics metrics, IStoreStatistics statistics, KeyManager keys, ReadinessState readiness, TimeProvider time,
        ILogger<StoreGauges> logger)
    {
        _statistics = statistics;
        _readiness = readiness;
        _time = time;
        _logger = logger;
        metrics.Meter.CreateObservableGauge("requests_pending", () => _last.PendingRequests,
            description: "Authentication requests waiting for the user's decision (sampled every 15 s).");
        metrics.Meter.CreateObservableGauge("outbox_backlog", () => new Measurement<long>[]
        {
            new(_last.DeviceNotifications, new KeyValuePair<string, object?>("kind", "device")),
            new(_last.Pings, new KeyValuePair<string, object?>("kind", "ping")),
            new(_last.Pushes, new KeyValuePair<string, object?>("kind", "push")),
        }, description: "Notifications waiting for delivery, by kind (sampled every 15 s).");
        metrics.Meter.CreateObservableGauge("signing_key_next_rotation_timestamp_seconds", () => NextRotation(keys),
            unit: "s", description: "When the current token signing key is replaced by the published next key (Unix time).");
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(SampleInterval, _time);
        do
        {
            if (!_readiness.IsReady)
            {
                continue;
            }

            try
            {
                _last = await _statistics.ReadAsync(_time.GetUtcNow(), stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogSampleFailed(_logger, ex);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    private IEnumerable<Measurement<double>> NextRotation(KeyManager keys)
    {
        if (!_readiness.IsReady)
        {
            yield break;
        }

        var now = _time.GetUtcNow();
        var next = keys.Current.Published.Where(k => k.Purpose == KeyPurpose.Tokens && k.ActivatesAt > now && k.ActivatesAt < DateTimeOffset.MaxValue)
            .Select(k => (DateTimeOffset?)k.ActivatesAt).Min();
        if (next is { } at)
        {
            yield return new Measurement<double>(at.ToUnixTimeSeconds());
        }
    }

    [LoggerMessage(1, LogLevel.Warning, "Reading the store's statistics for the gauges failed")]
    private static partial void LogSampleFailed(ILogger logger, Exception exception);
}
