using System.Diagnostics.Metrics;
using Backchannel.Domain;

namespace Backchannel.Diagnostics;

/// <summary>
/// The provider's own instruments (System.Diagnostics.Metrics, meter <c>backchannel</c>), exported at /metrics in the
/// Prometheus text format together with the runtime, Kestrel and HttpClient meters.
/// </summary>
public sealed class BackchannelMetrics
{
    public const string MeterName = "backchannel";

    private static readonly string[] Outcomes = ["accepted"];
    private static readonly string[] Kinds = ["device", "ping", "push"];

    private readonly Counter<long> _authenticationRequests;
    private readonly Counter<long> _tokenResponses;
    private readonly Counter<long> _decisions;
    private readonly Counter<long> _notifications;
    private readonly Counter<long> _notificationRetries;
    private readonly Histogram<double> _notificationLatency;

    public BackchannelMetrics(IMeterFactory meters)
    {
        Meter = meters.Create(MeterName);
        _authenticationRequests = Meter.CreateCounter<long>("authentication_requests_total",
            description: "Backchannel authentication requests, by outcome (accepted or the error code).");
        _tokenResponses = Meter.CreateCounter<long>("token_responses_total",
            description: "Token endpoint answers, by grant type and outcome (issued or the error code).");
        _decisions = Meter.CreateCounter<long>("decisions_total",
            description: "Decisions reported by authentication devices (approved, denied).");
        _notifications = Meter.CreateCounter<long>("notifications_total",
            description: "Notifications (device, ping, push) by outcome: delivered or failed.");
        _notificationRetries = Meter.CreateCounter<long>("notification_retries_total",
            description: "Notification attempts that failed transiently and were scheduled again.");
        _notificationLatency = Meter.CreateHistogram<double>("notification_delivery_seconds", unit: "s",
            description: "Time from the change that caused a notification (request accepted, decision) to its delivery.");
    }

    /// <summary>The meter, for the gauges the host adds (pending requests, outbox backlog, key rotation).</summary>
    public Meter Meter { get; }

    /// <summary>The bucket boundaries of <c>notification_delivery_seconds</c>.</summary>
    public static readonly double[] NotificationLatencyBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];

    /// <summary>Records zero for the label sets every deployment has, so that their series exist before the first event.</summary>
    public void PublishZeros()
    {
        foreach (var outcome in Outcomes)
        {
            _authenticationRequests.Add(0, new KeyValuePair<string, object?>("outcome", outcome));
        }

        foreach (var grant in new[] { "ciba", "refresh_token", "client_credentials" })
        {
            _tokenResponses.Add(0, new("grant_type", grant), new("outcome", "issued"));
        }

        foreach (var decision in new[] { "approved", "denied" })
        {
            _decisions.Add(0, new KeyValuePair<string, object?>("decision", decision));
        }

        foreach (var kind in Kinds)
        {
            _notifications.Add(0, new("kind", kind), new("outcome", "delivered"));
            _notifications.Add(0, new("kind", kind), new("outcome", "failed"));
            _notificationRetries.Add(0, new KeyValuePair<string, object?>("kind", kind));
        }
    }

    public void AuthenticationRequest(string outcome) => _authenticationRequests.Add(1, new KeyValuePair<string, object?>("outcome", outcome));

    public void TokenResponse(string grantType, string outcome) => _tokenResponses.Add(1, new("grant_type", grantType), new("outcome", outcome));

    public void Decision(bool approved) => _decisions.Add(1, new KeyValuePair<string, object?>("decision", approved ? "approved" : "denied"));

    public void NotificationDelivered(OutboxKind kind, TimeSpan sinceCreated)
    {
        var label = Label(kind);
        _notifications.Add(1, new("kind", label), new("outcome", "delivered"));
        _notificationLatency.Record(sinceCreated.TotalSeconds, new KeyValuePair<string, object?>("kind", label));
    }

    public void NotificationRetried(OutboxKind kind) => _notificationRetries.Add(1, new KeyValuePair<string, object?>("kind", Label(kind)));

    public void NotificationFailed(OutboxKind kind) => _notifications.Add(1, new("kind", Label(kind)), new("outcome", "failed"));

    public static string Label(OutboxKind kind) => kind switch
    {
        OutboxKind.DeviceNotification => "device",
        OutboxKind.Ping => "ping",
        _ => "push",
    };
}
