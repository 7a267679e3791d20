using System.Diagnostics.Metrics;
using Backchannel.Domain;

namespace Backchannel.Diagnostics;

/// <summary>
/// The provider's own instruments (System.Diagnostics.Metrics, meter <c>backchannel</c>), exported at /metrics in the
/// Prometheus text format together with the runtime, Kestrel and HttpClient meters. The counters are observable: the
/// provider counts (<see cref="LabeledCounts"/>) and a collection reads the counts, so that counting an event costs no
/// listener call on the request's path; every label set every deployment has exists at zero from the start.
/// </summary>
public sealed class BackchannelMetrics
{
    public const string MeterName = "backchannel";

    private static readonly string[] Outcomes = ["accepted"];
    private static readonly string[] Kinds = ["device", "ping", "push"];

    private readonly LabeledCounts _authenticationRequests = new("outcome");
    private readonly LabeledCounts _tokenResponses = new("grant_type", "outcome");
    private readonly LabeledCounts _decisions = new("decision");
    private readonly LabeledCounts _notifications = new("kind", "outcome");
    private readonly LabeledCounts _notificationRetries = new("kind");
    private readonly Histogram<double> _notificationLatency;

    public BackchannelMetrics(IMeterFactory meters)
    {
        Meter = meters.Create(MeterName);
        CountFromZero();
        Meter.CreateObservableCounter("authentication_requests_total", _authenticationRequests.Measure,
            description: "Backchannel authentication requests, by outcome (accepted or the error code).");
        Meter.CreateObservableCounter("token_responses_total", _tokenResponses.Measure,
            description: "Token endpoint answers, by grant type and outcome (issued or the error code).");
        Meter.CreateObservableCounter("decisions_total", _decisions.Measure,
            description: "Decisions reported by authentication devices (approved, denied).");
        Meter.CreateObservableCounter("notifications_total", _notifications.Measure,
            description: "Notifications (device, ping, push) by outcome: delivered or failed.");
        Meter.CreateObservableCounter("notification_retries_total", _notificationRetries.Measure,
            description: "Notification attempts that failed transiently and were scheduled again.");
        _notificationLatency = Meter.CreateHistogram<double>("notification_delivery_seconds", unit: "s",
            description: "Time from the change that caused a notification (request accepted, decision) to its delivery.");
    }

    /// <summary>The meter, for the gauges the host adds (pending requests, outbox backlog, key rotation).</summary>
    public Meter Meter { get; }

    /// <summary>The bucket boundaries of <c>notification_delivery_seconds</c>.</summary>
    public static readonly double[] NotificationLatencyBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];

    /// <summary>The label sets every deployment has, counted from zero so that their series exist before the first event.</summary>
    private void CountFromZero()
    {
        foreach (var outcome in Outcomes)
        {
            _authenticationRequests.Add(0, outcome);
        }

        foreach (var grant in new[] { "ciba", "refresh_token", "client_credentials" })
        {
            _tokenResponses.Add(0, grant, "issued");
        }

        foreach (var decision in new[] { "approved", "denied" })
        {
            _decisions.Add(0, decision);
        }

        foreach (var kind in Kinds)
        {
            _notifications.Add(0, kind, "delivered");
            _notifications.Add(0, kind, "failed");
            _notificationRetries.Add(0, kind);
        }
    }

    public void AuthenticationRequest(string outcome) => _authenticationRequests.Add(1, outcome);

    public void TokenResponse(string grantType, string outcome) => _tokenResponses.Add(1, grantType, outcome);

    public void Decision(bool approved) => _decisions.Add(1, approved ? "approved" : "denied");

    public void NotificationDelivered(OutboxKind kind, TimeSpan sinceCreated)
    {
        var label = Label(kind);
        _notifications.Add(1, label, "delivered");
        _notificationLatency.Record(sinceCreated.TotalSeconds, new KeyValuePair<string, object?>("kind", label));
    }

    public void NotificationRetried(OutboxKind kind) => _notificationRetries.Add(1, Label(kind));

    public void NotificationFailed(OutboxKind kind) => _notifications.Add(1, Label(kind), "failed");

    public static string Label(OutboxKind kind) => kind switch
    {
        OutboxKind.DeviceNotification => "device",
        OutboxKind.Ping => "ping",
        _ => "push",
    };
}
