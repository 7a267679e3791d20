using System.Diagnostics.Metrics;
using Microsoft.Extensions.Hosting;
using Prometheus;

namespace Backchannel.Diagnostics;

/// <summary>
/// Publishes the System.Diagnostics.Metrics instruments of this host in Prometheus text format (through prometheus-net's
/// meter adapter, into a registry of this provider's own): the provider's meter, the .NET runtime's, Kestrel's and
/// HttpClient's. Series of the provider's counters exist at zero from the start, and are refreshed every hour (the
/// adapter drops a series that saw no measurement for a day).
/// </summary>
public sealed class MetricsExporter(IMeterFactory meters, BackchannelMetrics metrics, TimeProvider time) : BackgroundService
{
    private static readonly TimeSpan RefreshInterval = TimeSpan.FromHours(1);

    /// <summary>Meters created by this host's meter factory.</summary>
    private static readonly HashSet<string> ScopedMeters = [BackchannelMetrics.MeterName, "Microsoft.AspNetCore.Server.Kestrel", "System.Net.Http"];

    /// <summary>Process-wide meters.</summary>
    private static readonly HashSet<string> GlobalMeters = ["System.Runtime", "System.Net.Http"];

    /// <summary>
    /// HttpClient's per-request instruments beside the request duration (active requests, time in the connection queue):
    /// recording them cost 3% of a flow's CPU for little information the duration and the connection counts lack.
    /// </summary>
    private static readonly HashSet<string> SkippedInstruments = ["http.client.active_requests", "http.client.request.time_in_queue"];

    private IDisposable? _adapter;

    /// <summary>The media type of the Prometheus text format, which /metrics answers in.</summary>
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    /// <summary>The registry /metrics serves (per provider instance, so that several hosts in one process do not mix).</summary>
    public CollectorRegistry Registry { get; } = Metrics.NewCustomRegistry();

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        _adapter = MeterAdapter.StartListening(new MeterAdapterOptions
        {
            Registry = Registry,
            MetricFactory = Metrics.WithCustomRegistry(Registry),
            InstrumentFilterPredicate = Publishes,
            MetricsExpireAfter = TimeSpan.FromDays(1),
            ResolveHistogramBuckets = instrument => instrument.Meter.Name == BackchannelMetrics.MeterName
                ? BackchannelMetrics.NotificationLatencyBuckets
                : MeterAdapterOptions.DefaultHistogramBuckets,
        });
        metrics.PublishZeros();
        return base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(RefreshInterval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            metrics.PublishZeros();
        }
    }

    public override void Dispose()
    {
        _adapter?.Dispose();
        base.Dispose();
    }

    private bool Publishes(Instrument instrument) =>
        !SkippedInstruments.Contains(instrument.Name)
        && (ReferenceEquals(instrument.Meter.Scope, meters) ? ScopedMeters.Contains(instrument.Meter.Name)
            : instrument.Meter.Scope is null && GlobalMeters.Contains(instrument.Meter.Name));
}
