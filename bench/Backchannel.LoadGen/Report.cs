using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Backchannel.LoadGen;

public sealed class LatencyReport
{
    public double P50 { get; init; }
    public double P95 { get; init; }
    public double P99 { get; init; }
    public double Max { get; init; }
    public double Mean { get; init; }

    public static LatencyReport From(LatencyHistogram h) => new()
    {
        P50 = Ms(h.PercentileMicros(50)),
        P95 = Ms(h.PercentileMicros(95)),
        P99 = Ms(h.PercentileMicros(99)),
        Max = Ms(h.MaxMicros),
        Mean = Math.Round(h.MeanMicros / 1000.0, 3),
    };

    private static double Ms(long micros) => Math.Round(micros / 1000.0, 3);
}

public sealed class EndpointReport
{
    public required string Name { get; init; }
    public long Requests { get; init; }
    public long Errors { get; init; }
    public double PerSecond { get; init; }
    public required LatencyReport LatencyMs { get; init; }
}

public sealed class FlowsReport
{
    public long Completed { get; init; }
    public long Failed { get; init; }
    public double FailedPercent { get; init; }
    public double PerSecond { get; init; }
    public required LatencyReport LatencyMs { get; init; }
}

public sealed class PollingReport
{
    public int PendingRequested { get; init; }
    public long PendingCreated { get; init; }
    public long PendingLiveAtEnd { get; init; }
    public int? RequestedExpiry { get; init; }
    public double SetupSeconds { get; init; }
    public double SetupPerSecond { get; init; }
    public long SetupErrors { get; init; }
    public EndpointReport? SetupBcAuthorize { get; init; }
    public long SetupNotifications { get; init; }
    public long Polls { get; init; }
    public double PollsPerSecond { get; init; }
    public long AuthorizationPending { get; init; }
    public long SlowDown { get; init; }
    public long Other { get; init; }
    public double OtherPercent { get; init; }
    public required LatencyReport ScheduleLagMs { get; init; }
}

public sealed class TokenResponsesReport
{
    public long AuthorizationPending { get; init; }
    public long SlowDown { get; init; }
    public long Other { get; init; }
}

public sealed class NotificationsReport
{
    public long Received { get; init; }
    public long Unmatched { get; init; }
    public long Unauthorized { get; init; }
    public long Malformed { get; init; }
    public long BeforeBcAuthorizeResponse { get; init; }
}

public sealed class ProcessReport
{
    public int Pid { get; init; }
    public string? Name { get; init; }
    public double? CpuSeconds { get; init; }
    public double? CpuPercentOfOneCore { get; init; }
    public double? CpuMsPerFlow { get; init; }
    public double? RssMib { get; init; }
    public double? PeakRssMib { get; init; }
}

public sealed class Report
{
    public string Tool { get; init; } = "Backchannel.LoadGen";
    public required string Mode { get; init; }

    /// <summary>flows: the token delivery mode (poll, ping, push).</summary>
    public string? Delivery { get; init; }

    /// <summary>flows: how the client proves itself at /token: "dpop" (a DPoP proof per request), "mtls" (tls_client_auth over the aliases), or null (a secret).</summary>
    public string? SenderConstraint { get; init; }
    public string? Endpoint { get; init; }
    public required string Provider { get; init; }
    public string? Issuer { get; init; }
    public string? DiscoveryEndpoint { get; init; }
    public string? BackchannelAuthenticationEndpoint { get; init; }
    public string? TokenEndpoint { get; init; }
    public string? DeviceListen { get; init; }
    public required string StartedAt { get; init; }
    public int Concurrency { get; init; }
    public double WarmupSeconds { get; init; }
    public double DurationSeconds { get; init; }
    public double MeasuredSeconds { get; init; }
    public bool Interrupted { get; init; }
    public FlowsReport? Flows { get; init; }
    public PollingReport? Polling { get; init; }
    public required List<EndpointReport> Endpoints { get; init; }
    public TokenResponsesReport? TokenResponses { get; init; }
    public NotificationsReport? Notifications { get; init; }
    public required SortedDictionary<string, long> Errors { get; init; }
    public ProcessReport? Server { get; init; }
    public required ProcessReport Generator { get; init; }
    public bool Ok { get; init; }
    public required string Verdict { get; init; }
}

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    WriteIndented = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(Report))]
internal sealed partial class ReportJsonContext : JsonSerializerContext;

public static class ReportBuilder
{
    public static Report Build(LoadGenOptions o, ProviderClient client, RunOutcome r, DateTimeOffset startedAt)
    {
        var m = r.Measured;
        var seconds = r.MeasuredSeconds;
        double Rate(long n) => seconds > 0 ? Math.Round(n / seconds, 1) : 0;

        EndpointReport Ep(EndpointStats s, double secs) => new()
        {
            Name = s.Name,
            Requests = s.Requests,
            Errors = s.Errors,
            PerSecond = secs > 0 ? Math.Round(s.Requests / secs, 1) : 0,
            LatencyMs = LatencyReport.From(s.Latency),
        };

        var endpoints = new List<EndpointReport>();
        FlowsReport? flows = null;
        PollingReport? polling = null;
        TokenResponsesReport? tokenResponses = null;
        NotificationsReport? notifications = null;
        bool ok;
        string verdict;

        switch (o.Mode)
        {
            case RunMode.Flows:
            {
                endpoints.Add(Ep(m.BcAuthorize, seconds));
                endpoints.Add(Ep(m.Notification, seconds));
                endpoints.Add(Ep(m.Callback, seconds));
                if (o.Delivery != TokenDelivery.Poll)
                {
                    endpoints.Add(Ep(m.ClientNotification, seconds));
                }

                if (o.Delivery != TokenDelivery.Push)
                {
                    endpoints.Add(Ep(m.Token, seconds));
                }
                var attempted = m.FlowsCompleted + m.FlowsFailed;
                var failedPercent = attempted > 0 ? 100.0 * m.FlowsFailed / attempted : 0;
                flows = new FlowsReport
                {
                    Completed = m.FlowsCompleted,
                    Failed = m.FlowsFailed,
                    FailedPercent = Math.Round(failedPercent, 3),
                    PerSecond = Rate(m.FlowsCompleted),
                    LatencyMs = LatencyReport.From(m.Flow.Latency),
                };
                tokenResponses = new TokenResponsesReport { AuthorizationPending = m.TokenPending, SlowDown = m.TokenSlowDown, Other = m.TokenOther };
                notifications = Notifications(m);
                (ok, verdict) = attempted == 0
                    ? (false, $"no flow completed or failed in the measured window ({m.NotificationsReceived} device notifications arrived at {o.DeviceNotifyUrl}; is the provider configured to notify it?)")
                    : failedPercent > o.MaxFailurePercent
                        ? (false, $"{failedPercent:0.##}% of flows failed ({m.FlowsFailed} of {attempted}), more than {o.MaxFailurePercent}%; most frequent error: {TopError(m)}")
                        : m.FlowsCompleted == 0
                            ? (false, "no flow completed")
                            : (true, $"{m.FlowsCompleted} flows completed, {m.FlowsFailed} failed ({failedPercent:0.##}%)");
                break;
            }

            case RunMode.Polling:
            {
                var setup = r.Setup ?? new RunMetrics();
                endpoints.Add(Ep(m.Token, seconds));
                var polls = m.Token.Requests;
                var otherPercent = polls > 0 ? 100.0 * m.TokenOther / polls : 0;
                var setupBc = Ep(setup.BcAuthorize, r.SetupSeconds);
                polling = new PollingReport
                {
                    PendingRequested = o.Pending,
                    PendingCreated = r.PendingCreated,
                    PendingLiveAtEnd = r.PendingLive,
                    RequestedExpiry = o.EffectiveRequestedExpiry,
                    SetupSeconds = Math.Round(r.SetupSeconds, 3),
                    SetupPerSecond = r.SetupSeconds > 0 ? Math.Round(r.PendingCreated / r.SetupSeconds, 1) : 0,
                    SetupErrors = setup.BcAuthorize.Errors,
                    SetupBcAuthorize = setupBc,
                    SetupNotifications = setup.NotificationsReceived,
                    Polls = polls,
                    PollsPerSecond = Rate(polls),
                    AuthorizationPending = m.TokenPending,
                    SlowDown = m.TokenSlowDown,
                    Other = m.TokenOther,
                    OtherPercent = Math.Round(otherPercent, 3),
                    ScheduleLagMs = LatencyReport.From(m.PollLag.Latency),
                };
                notifications = Notifications(m);
                var createFailedPercent = 100.0 * (o.Pending - r.PendingCreated) / o.Pending;
                (ok, verdict) = r.PendingCreated == 0
                    ? (false, $"no pending request could be created; most frequent error: {TopError(setup)}")
                    : createFailedPercent > o.MaxFailurePercent
                        ? (false, $"only {r.PendingCreated} of {o.Pending} pending requests were created ({createFailedPercent:0.##}% failed); most frequent error: {TopError(setup)}")
                        : polls == 0
                            ? (false, "no poll in the measured window")
                            : otherPercent > o.MaxFailurePercent
                                ? (false, $"{otherPercent:0.##}% of polls answered neither authorization_pending nor slow_down; most frequent error: {TopError(m)}")
                                : (true, $"{polls} polls: {m.TokenPending} authorization_pending, {m.TokenSlowDown} slow_down, {m.TokenOther} other");
                break;
            }

            default:
            {
                var stats = o.Endpoint == TargetEndpoint.Discovery ? m.Discovery : m.BcAuthorize;
                endpoints.Add(Ep(stats, seconds));
                if (o.Endpoint == TargetEndpoint.BcAuthorize)
                {
                    notifications = Notifications(m);
                }

                var failedPercent = stats.Requests > 0 ? 100.0 * stats.Errors / stats.Requests : 0;
                (ok, verdict) = stats.Requests == 0
                    ? (false, "no request in the measured window")
                    : failedPercent > o.MaxFailurePercent
                        ? (false, $"{failedPercent:0.##}% of {stats.Name} requests failed ({stats.Errors} of {stats.Requests}); most frequent error: {TopError(m)}")
                        : (true, $"{stats.Requests} {stats.Name} requests, {stats.Errors} failed ({failedPercent:0.##}%)");
                break;
            }
        }

        if (r.Interrupted)
        {
            verdict += " (interrupted)";
        }

        ProcessReport? server = null;
        if (o.ServerPid is { } pid)
        {
            server = Process(pid, r.ServerCpuSeconds, seconds, r.ServerMemory, flows?.Completed);
        }

        var errors = new SortedDictionary<string, long>(StringComparer.Ordinal);
        foreach (var (kind, count) in m.ErrorKinds)
        {
            errors[kind] = count;
        }

        if (r.Setup is { } s)
        {
            foreach (var (kind, count) in s.ErrorKinds)
            {
                errors["setup " + kind] = count;
            }
        }

        return new Report
        {
            Mode = o.Mode.ToString().ToLowerInvariant(),
            Delivery = o.Mode == RunMode.Flows ? o.Delivery.ToString().ToLowerInvariant() : null,
            SenderConstraint = o.Dpop ? "dpop" : o.MtlsCertificate is not null ? "mtls" : null,
            Endpoint = o.Mode == RunMode.Endpoint ? (o.Endpoint == TargetEndpoint.Discovery ? "discovery" : "bc-authorize") : null,
            Provider = o.Provider.ToString(),
            Issuer = client.Discovery?.Issuer,
            DiscoveryEndpoint = client.DiscoveryUri?.ToString(),
            BackchannelAuthenticationEndpoint = client.BcAuthorizeUri?.ToString(),
            TokenEndpoint = client.TokenUri?.ToString(),
            DeviceListen = o.Mode == RunMode.Endpoint && o.Endpoint == TargetEndpoint.Discovery ? null : o.DeviceNotifyUrl.ToString(),
            StartedAt = startedAt.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture),
            Concurrency = o.Concurrency,
            WarmupSeconds = o.Warmup.TotalSeconds,
            DurationSeconds = o.Duration.TotalSeconds,
            MeasuredSeconds = Math.Round(seconds, 3),
            Interrupted = r.Interrupted,
            Flows = flows,
            Polling = polling,
            Endpoints = endpoints,
            TokenResponses = tokenResponses,
            Notifications = notifications,
            Errors = errors,
            Server = server,
            Generator = Process(Environment.ProcessId, r.GeneratorCpuSeconds, seconds, r.GeneratorMemory, flows?.Completed),
            Ok = ok,
            Verdict = verdict,
        };
    }

    private static NotificationsReport Notifications(RunMetrics m) => new()
    {
        Received = m.NotificationsReceived,
        Unmatched = m.NotificationsUnmatched,
        Unauthorized = m.NotificationsUnauthorized,
        Malformed = m.NotificationsMalformed,
        BeforeBcAuthorizeResponse = m.NotificationsBeforeResponse,
    };

    private static string TopError(RunMetrics m)
    {
        var top = m.ErrorKinds.OrderByDescending(kv => kv.Value).FirstOrDefault();
        return top.Key is null ? "(none recorded)" : $"{top.Key} (x{top.Value})";
    }

    private static ProcessReport Process(int pid, double? cpu, double seconds, (long? Rss, long? PeakRss) memory, long? flows) => new()
    {
        Pid = pid,
        Name = ProcessStats.CommandName(pid),
        CpuSeconds = cpu is { } c ? Math.Round(c, 2) : null,
        CpuPercentOfOneCore = cpu is { } c2 && seconds > 0 ? Math.Round(100 * c2 / seconds, 1) : null,
        CpuMsPerFlow = cpu is { } c3 && flows is > 0 ? Math.Round(1000 * c3 / flows.Value, 3) : null,
        RssMib = memory.Rss is { } rss ? Math.Round(rss / 1048576.0, 1) : null,
        PeakRssMib = memory.PeakRss is { } peak ? Math.Round(peak / 1048576.0, 1) : null,
    };

    // The report is read by people and scripts, not embedded in HTML: no \u escapes for '+', '<', quotes.
    private static readonly ReportJsonContext Relaxed = new(new JsonSerializerOptions(ReportJsonContext.Default.Options)
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });

    public static string ToJson(Report report) => JsonSerializer.Serialize(report, Relaxed.Report);

    public static string ToText(Report r)
    {
        var sb = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        sb.AppendLine(inv, $"Backchannel.LoadGen: {r.Mode}{(r.Endpoint is null ? "" : " " + r.Endpoint)}{(r.Delivery is null ? "" : $" ({r.Delivery} mode)")}{(r.SenderConstraint is null ? "" : $", {r.SenderConstraint}")} against {r.Provider}");
        if (r.BackchannelAuthenticationEndpoint is not null)
        {
            sb.AppendLine(inv, $"  bc-authorize {r.BackchannelAuthenticationEndpoint}, token {r.TokenEndpoint}");
        }

        if (r.DeviceListen is not null)
        {
            sb.AppendLine(inv, $"  device service {r.DeviceListen}");
        }

        sb.AppendLine(inv, $"  concurrency {r.Concurrency}, warm-up {r.WarmupSeconds:0.##} s, measured {r.MeasuredSeconds:0.00} s{(r.Interrupted ? " (interrupted)" : "")}");
        sb.AppendLine();

        if (r.Polling is { } p)
        {
            sb.AppendLine(inv, $"setup: {p.PendingCreated} of {p.PendingRequested} pending requests created in {p.SetupSeconds:0.00} s ({p.SetupPerSecond:0.0}/s), {p.SetupErrors} errors, requested_expiry {p.RequestedExpiry} s, {p.SetupNotifications} device notifications acknowledged");
            if (p.SetupBcAuthorize is { } sb0)
            {
                sb.AppendLine(inv, $"       bc-authorize p50 {sb0.LatencyMs.P50:0.000} ms, p99 {sb0.LatencyMs.P99:0.000} ms, max {sb0.LatencyMs.Max:0.000} ms");
            }

            sb.AppendLine(inv, $"polls: {p.Polls} ({p.PollsPerSecond:0.0}/s): authorization_pending {p.AuthorizationPending}, slow_down {p.SlowDown}, other {p.Other} ({p.OtherPercent:0.###}%)");
            sb.AppendLine(inv, $"       schedule lag (due -> sent) p50 {p.ScheduleLagMs.P50:0.000} ms, p99 {p.ScheduleLagMs.P99:0.000} ms, max {p.ScheduleLagMs.Max:0.000} ms; still pending at end {p.PendingLiveAtEnd}");
            sb.AppendLine();
        }

        if (r.Flows is { } f)
        {
            sb.AppendLine(inv, $"flows: {f.Completed} completed, {f.Failed} failed ({f.FailedPercent:0.###}%), {f.PerSecond:0.0} flows/s");
            sb.AppendLine(inv, $"       flow latency p50 {f.LatencyMs.P50:0.000} ms, p95 {f.LatencyMs.P95:0.000} ms, p99 {f.LatencyMs.P99:0.000} ms, max {f.LatencyMs.Max:0.000} ms");
            sb.AppendLine();
        }

        sb.AppendLine(inv, $"{"endpoint",-14} {"requests",10} {"req/s",9} {"errors",8} {"p50 ms",9} {"p95 ms",9} {"p99 ms",9} {"max ms",9} {"mean ms",9}");
        foreach (var e in r.Endpoints)
        {
            var l = e.LatencyMs;
            sb.AppendLine(inv, $"{e.Name,-14} {e.Requests,10} {e.PerSecond,9:0.0} {e.Errors,8} {l.P50,9:0.000} {l.P95,9:0.000} {l.P99,9:0.000} {l.Max,9:0.000} {l.Mean,9:0.000}");
        }

        if (r.Flows is not null)
        {
            sb.AppendLine("  (notification = delay from the bc-authorize response to the notification's arrival)");
            if (r.Delivery is "ping" or "push")
            {
                sb.AppendLine(inv, $"  (client-notify = delay from the callback's answer to the {r.Delivery}'s arrival at the client)");
            }
        }

        sb.AppendLine();
        if (r.TokenResponses is { } t)
        {
            sb.AppendLine(inv, $"token answers besides tokens: authorization_pending {t.AuthorizationPending}, slow_down {t.SlowDown}, other {t.Other}");
        }

        if (r.Notifications is { } n)
        {
            sb.AppendLine(inv, $"notifications: received {n.Received}, unmatched {n.Unmatched}, unauthorized {n.Unauthorized}, malformed {n.Malformed}, before the bc-authorize response {n.BeforeBcAuthorizeResponse}");
        }

        if (r.Errors.Count == 0)
        {
            sb.AppendLine("errors: none");
        }
        else
        {
            sb.AppendLine("errors:");
            foreach (var (kind, count) in r.Errors.OrderByDescending(kv => kv.Value))
            {
                sb.AppendLine(inv, $"  {count,8}  {kind}");
            }
        }

        sb.AppendLine();
        if (r.Server is { } s)
        {
            sb.AppendLine(inv, $"server pid {s.Pid} ({s.Name ?? "?"}): {Cpu(s)}, rss {Mib(s.RssMib)}, peak rss {Mib(s.PeakRssMib)}");
        }

        sb.AppendLine(inv, $"generator pid {r.Generator.Pid}: {Cpu(r.Generator)}, rss {Mib(r.Generator.RssMib)}, peak rss {Mib(r.Generator.PeakRssMib)}");
        sb.AppendLine();
        sb.AppendLine(inv, $"result: {(r.Ok ? "OK" : "FAILED")}: {r.Verdict}");
        return sb.ToString();

        static string Mib(double? v) => v is { } x ? x.ToString("0.0", CultureInfo.InvariantCulture) + " MiB" : "n/a";

        static string Cpu(ProcessReport p) => p.CpuSeconds is { } c
            ? string.Create(CultureInfo.InvariantCulture, $"cpu {c:0.00} s in the window ({p.CpuPercentOfOneCore:0.0}% of one core{(p.CpuMsPerFlow is { } per ? $", {per:0.000} ms per flow" : "")})")
            : "cpu n/a";
    }
}
