using System.Diagnostics.Metrics;
using Backchannel.Diagnostics;
using Backchannel.Domain;
using Microsoft.Extensions.DependencyInjection;

namespace Backchannel.Tests.Diagnostics;

public sealed class BackchannelMetricsTests
{
    [Fact]
    public void The_counters_report_every_expected_label_set_at_zero_before_any_event()
    {
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var metrics = new BackchannelMetrics(services.GetRequiredService<IMeterFactory>());

        var observed = Collect(metrics);

        Assert.Equal(0, observed[("authentication_requests_total", "outcome=accepted")]);
        Assert.Equal(0, observed[("token_responses_total", "grant_type=ciba,outcome=issued")]);
        Assert.Equal(0, observed[("decisions_total", "decision=denied")]);
        Assert.Equal(0, observed[("notifications_total", "kind=push,outcome=failed")]);
        Assert.Equal(0, observed[("notification_retries_total", "kind=device")]);
        Assert.Equal(3 + 2 + 1 + 6 + 3, observed.Count);
    }

    [Fact]
    public void Each_event_counts_once_under_its_labels_and_new_label_values_become_series()
    {
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var metrics = new BackchannelMetrics(services.GetRequiredService<IMeterFactory>());

        Parallel.For(0, 1000, _ =>
        {
            metrics.AuthenticationRequest("accepted");
            metrics.Decision(approved: true);
        });
        metrics.AuthenticationRequest("invalid_request");
        metrics.TokenResponse("ciba", "authorization_pending");
        metrics.TokenResponse("ciba", "authorization_pending");
        metrics.NotificationDelivered(OutboxKind.Ping, TimeSpan.FromMilliseconds(5));
        metrics.NotificationFailed(OutboxKind.Ping);
        metrics.NotificationRetried(OutboxKind.Push);

        var observed = Collect(metrics);

        Assert.Equal(1000, observed[("authentication_requests_total", "outcome=accepted")]);
        Assert.Equal(1, observed[("authentication_requests_total", "outcome=invalid_request")]);
        Assert.Equal(1000, observed[("decisions_total", "decision=approved")]);
        Assert.Equal(0, observed[("decisions_total", "decision=denied")]);
        Assert.Equal(2, observed[("token_responses_total", "grant_type=ciba,outcome=authorization_pending")]);
        Assert.Equal(1, observed[("notifications_total", "kind=ping,outcome=delivered")]);
        Assert.Equal(1, observed[("notifications_total", "kind=ping,outcome=failed")]);
        Assert.Equal(1, observed[("notification_retries_total", "kind=push")]);
        Assert.Equal(0, observed[("notification_retries_total", "kind=ping")]);
    }

    /// <summary>What a collection (the /metrics exporter's) reads from the provider's counters, by instrument and labels.</summary>
    private static Dictionary<(string Instrument, string Labels), long> Collect(BackchannelMetrics metrics)
    {
        var observed = new Dictionary<(string, string), long>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (ReferenceEquals(instrument.Meter, metrics.Meter) && instrument is ObservableCounter<long>)
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
            observed.Add((instrument.Name, string.Join(",", tags.ToArray().Select(t => $"{t.Key}={t.Value}"))), value));
        listener.Start();
        listener.RecordObservableInstruments();
        return observed;
    }
}
