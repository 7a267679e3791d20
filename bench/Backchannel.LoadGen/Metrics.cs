using System.Collections.Concurrent;
using System.Diagnostics;

namespace Backchannel.LoadGen;

public static class Clock
{
    public static long Now => Stopwatch.GetTimestamp();

    private static readonly double MicrosPerTick = 1_000_000.0 / Stopwatch.Frequency;

    public static long TicksToMicros(long ticks) => (long)(ticks * MicrosPerTick);

    public static double Seconds(long ticks) => (double)ticks / Stopwatch.Frequency;

    public static long FromTimeSpan(TimeSpan span) => (long)(span.TotalSeconds * Stopwatch.Frequency);
}

/// <summary>Requests, failures and latency of one endpoint (or one measured step, such as the notification delay).</summary>
public sealed class EndpointStats(string name)
{
    private long _requests;
    private long _errors;

    public string Name { get; } = name;

    public LatencyHistogram Latency { get; } = new();

    public long Requests => Volatile.Read(ref _requests);

    public long Errors => Volatile.Read(ref _errors);

    /// <summary>A request that got an answer: its latency counts, whether the answer was good or not.</summary>
    public void Record(long elapsedTicks, bool ok)
    {
        Interlocked.Increment(ref _requests);
        if (!ok)
        {
            Interlocked.Increment(ref _errors);
        }

        Latency.RecordTicks(elapsedTicks);
    }

    /// <summary>A request that got no answer (an exception): counted, no latency.</summary>
    public void RecordFailure()
    {
        Interlocked.Increment(ref _requests);
        Interlocked.Increment(ref _errors);
    }
}

/// <summary>Everything counted during one phase of a run (setup, warm-up, measured window, drain).</summary>
public sealed class RunMetrics
{
    private long _flowsCompleted;
    private long _flowsFailed;
    private long _tokenPending;
    private long _tokenSlowDown;
    private long _tokenOther;
    private long _notificationsReceived;
    private long _notificationsUnmatched;
    private long _notificationsUnauthorized;
    private long _notificationsMalformed;
    private long _notificationsBeforeResponse;

    public EndpointStats Discovery { get; } = new("discovery");
    public EndpointStats BcAuthorize { get; } = new("bc-authorize");
    public EndpointStats Notification { get; } = new("notification");
    public EndpointStats Callback { get; } = new("callback");
    public EndpointStats Token { get; } = new("token");
    public EndpointStats ClientNotification { get; } = new("client-notify");
    public EndpointStats Flow { get; } = new("flow");
    public EndpointStats PollLag { get; } = new("poll-lag");

    public ConcurrentDictionary<string, long> ErrorKinds { get; } = new(StringComparer.Ordinal);

    public long FlowsCompleted => Volatile.Read(ref _flowsCompleted);
    public long FlowsFailed => Volatile.Read(ref _flowsFailed);
    public long TokenPending => Volatile.Read(ref _tokenPending);
    public long TokenSlowDown => Volatile.Read(ref _tokenSlowDown);
    public long TokenOther => Volatile.Read(ref _tokenOther);
    public long NotificationsReceived => Volatile.Read(ref _notificationsReceived);
    public long NotificationsUnmatched => Volatile.Read(ref _notificationsUnmatched);
    public long NotificationsUnauthorized => Volatile.Read(ref _notificationsUnauthorized);
    public long NotificationsMalformed => Volatile.Read(ref _notificationsMalformed);
    public long NotificationsBeforeResponse => Volatile.Read(ref _notificationsBeforeResponse);

    public void FlowCompleted(long elapsedTicks)
    {
        Interlocked.Increment(ref _flowsCompleted);
        Flow.Record(elapsedTicks, ok: true);
    }

    public void FlowFailed() => Interlocked.Increment(ref _flowsFailed);

    public void CountTokenPending() => Interlocked.Increment(ref _tokenPending);
    public void CountTokenSlowDown() => Interlocked.Increment(ref _tokenSlowDown);
    public void CountTokenOther() => Interlocked.Increment(ref _tokenOther);
    public void CountNotificationReceived() => Interlocked.Increment(ref _notificationsReceived);
    public void CountNotificationUnmatched() => Interlocked.Increment(ref _notificationsUnmatched);
    public void CountNotificationUnauthorized() => Interlocked.Increment(ref _notificationsUnauthorized);
    public void CountNotificationMalformed() => Interlocked.Increment(ref _notificationsMalformed);
    public void CountNotificationBeforeResponse() => Interlocked.Increment(ref _notificationsBeforeResponse);

    public void Error(string kind) => ErrorKinds.AddOrUpdate(kind, 1, static (_, n) => n + 1);

    public long TotalErrors => ErrorKinds.Values.Sum();
}

/// <summary>
/// Which <see cref="RunMetrics"/> is being recorded into. Workers look it up at each recording site, so
/// switching phases is one volatile write and samples land in the phase in which they were taken.
/// </summary>
public sealed class MetricsHub
{
    private RunMetrics _current = new();

    public RunMetrics Current => Volatile.Read(ref _current);

    /// <summary>Starts a new phase and returns the one that ended.</summary>
    public RunMetrics Switch(RunMetrics next) => Interlocked.Exchange(ref _current, next);
}
