using Backchannel.Storage;
using Prometheus;

namespace Backchannel.Diagnostics;

/// <summary>The provider's Prometheus metrics, served at /metrics.</summary>
public sealed class BackchannelMetrics
{
    private readonly Counter _authenticationRequests;
    private readonly Counter _tokenResponses;
    private readonly Counter _notifications;
    private readonly Counter _notificationRetries;
    private readonly Histogram _notificationLatency;
    private readonly Counter _decisions;

    public BackchannelMetrics()
    {
        var factory = Metrics.WithCustomRegistry(Registry);

        // No exemplars: looking up the current trace on every increment costs time on the hot path.
        factory.ExemplarBehavior = ExemplarBehavior.NoExemplars();
        _authenticationRequests = factory.CreateCounter("backchannel_authentication_requests_total",
            "Backchannel authentication requests, by outcome (accepted or the error code).", "outcome");
        _tokenResponses = factory.CreateCounter("backchannel_token_responses_total",
            "Token endpoint answers, by grant type and outcome (issued or the error code).", "grant_type", "outcome");
        _decisions = factory.CreateCounter("backchannel_decisions_total",
            "Decisions reported by authentication devices (approved, denied).", "decision");
        _notifications = factory.CreateCounter("backchannel_notifications_total",
            "Notifications (device, ping, push) by outcome: delivered or failed.", "kind", "outcome");
        _notificationRetries = factory.CreateCounter("backchannel_notification_retries_total",
            "Notification attempts that failed transiently and were scheduled again.", "kind");
        _notificationLatency = factory.CreateHistogram("backchannel_notification_delivery_seconds",
            "Time from the change that caused a notification (request accepted, decision) to its delivery.",
            new HistogramConfiguration
            {
                LabelNames = ["kind"],
                Buckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300],
            });
    }

    /// <summary>The registry /metrics serves (per provider instance, so that several hosts in one process do not mix).</summary>
    public CollectorRegistry Registry { get; } = Metrics.NewCustomRegistry();

    public void AuthenticationRequest(string outcome) => _authenticationRequests.WithLabels(outcome).Inc();

    public void TokenResponse(string grantType, string outcome) => _tokenResponses.WithLabels(grantType, outcome).Inc();

    public void Decision(bool approved) => _decisions.WithLabels(approved ? "approved" : "denied").Inc();

    public void NotificationDelivered(OutboxKind kind, int attempts, TimeSpan sinceCreated)
    {
        var label = Label(kind);
        _notifications.WithLabels(label, "delivered").Inc();
        _notificationLatency.WithLabels(label).Observe(sinceCreated.TotalSeconds);
    }

    public void NotificationRetried(OutboxKind kind) => _notificationRetries.WithLabels(Label(kind)).Inc();

    public void NotificationFailed(OutboxKind kind) => _notifications.WithLabels(Label(kind), "failed").Inc();

    private static string Label(OutboxKind kind) => kind switch
    {
        OutboxKind.DeviceNotification => "device",
        OutboxKind.Ping => "ping",
        _ => "push",
    };
}
