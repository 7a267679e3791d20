using System.Diagnostics.Metrics;
using Microsoft.Extensions.Hosting;
using Prometheus;

namespace Backchannel.Diagnostics;

/// <summary>
/// Publishes the System.Diagnostics.Metrics instruments of this host in Prometheus text format (through prometheus-net's
/// meter adapter, into a registry of this provider's own): the provider's meter, the .NET runtime's, Kestrel's and
/// HttpClient's. The provider's counters are observable: read at every collection, their series (at zero from the
/// start) never expire; a histogram series that saw no measurement for a day is dropped by the adapter.
/// </summary>
public sealed class MetricsExporter(IMeterFactory meters, BackchannelMetrics metrics) : IHostedService, IDisposable
{
    /// <summary>Meters created by this host's meter factory.</summary>
    private static readonly HashSet<string> ScopedMeters = [BackchannelMetrics.MeterName, "Microsoft.AspNetCore.Server.Kestrel", "System.Net.Http"];

    /// <summary>Process-wide meters.</summary>
    private static readonly HashSet<string> GlobalMeters = ["System.Runtime", "System.Net.Http"];

    /// <summary>
    /// HttpClient's per-request instruments beside the request duration: active requests, time in the connection queue,
    /// and the open connections by state (a connection turns active and idle again for every request, each a measurement
    /// with six tags). Recording them cost 4% of a flow's CPU for little the request and connection durations and the
    /// provider's notification metrics do not tell.
    /// </summary>
    private static readonly HashSet<string> SkippedInstruments =
        ["http.client.active_requests", "http.client.request.time_in_queue", "http.client.open_connections"];

    private IDisposable? _adapter;

    /// <summary>The media type of the Prometheus text format, which /metrics answers in.</summary>
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    /// <summary>The registry /metrics serves (per provider instance, so that several hosts in one process do not mix).</summary>
    public CollectorRegistry Registry { get; } = Metrics.NewCustomRegistry();

    public Task StartAsync(CancellationToken cancellationToken)
    {
        // The provider's instruments exist before the first collection (their zero series with them).
        _ = metrics.Meter;
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
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose() => _adapter?.Dispose();

    private bool Publishes(Instrument instrument) =>
        !SkippedInstruments.Contains(instrument.Name)
        && (ReferenceEquals(instrument.Meter.Scope, meters) ? ScopedMeters.Contains(instrument.Meter.Name)
            : instrument.Meter.Scope is null && GlobalMeters.Contains(instrument.Meter.Name));
}
