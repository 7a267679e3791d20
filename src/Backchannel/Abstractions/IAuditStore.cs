using System.Globalization;
using Backchannel.Domain;

namespace Backchannel.Abstractions;

/// <summary>
/// The audit trail of requests in the store: what happened to each request (requested, notified, viewed, decided,
/// redeemed, failed, expired, cancelled), kept for <c>Audit:RetentionDays</c> after the request is gone. Events carry no
/// secret, token, auth_req_id or binding_message text (<see cref="RequestEvent"/>). Read by operators (the admin API) and
/// by users for their own history (by subject).
/// </summary>
public interface IAuditStore
{
    /// <summary>Records <paramref name="events"/>, in one transaction, in their order.</summary>
    Task AppendAsync(IReadOnlyList<RequestEvent> events, CancellationToken cancellationToken);

    /// <summary>
    /// The events of one request in the order they happened (their time, then the order they were recorded in), those
    /// after <paramref name="after"/> when given, at most <paramref name="limit"/>.
    /// </summary>
    Task<IReadOnlyList<RecordedRequestEvent>> ListForRequestAsync(string requestId, AuditPosition? after, int limit, CancellationToken cancellationToken);

    /// <summary>
    /// A subject's events, newest first (their time, then the order they were recorded in, both descending), those before
    /// <paramref name="before"/> when given, at most <paramref name="limit"/>.
    /// </summary>
    Task<IReadOnlyList<RecordedRequestEvent>> ListForSubjectAsync(string subject, AuditPosition? before, int limit, CancellationToken cancellationToken);

    /// <summary>
    /// Removes, oldest recorded first, up to <paramref name="max"/> events that happened before <paramref name="cutoff"/>;
    /// how many. Removal stops at the first recorded event that is not older than the cutoff, so an event recorded late
    /// (after a newer one) may outlive the cutoff by as long as that newer one.
    /// </summary>
    Task<int> DeleteOlderThanAsync(DateTimeOffset cutoff, int max, CancellationToken cancellationToken);
}

/// <summary>A place in the audit trail to page from: an event's time and sequence number.</summary>
public readonly record struct AuditPosition(DateTimeOffset At, long Sequence)
{
    public static AuditPosition Of(RecordedRequestEvent recorded) => new(recorded.Event.At, recorded.Sequence);

    /// <summary>The position as text (<c>{unix milliseconds}.{sequence}</c>), for a page's cursor.</summary>
    public string Key() =>
        At.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture) + "." + Sequence.ToString(CultureInfo.InvariantCulture);

    /// <summary>The position <see cref="Key"/> wrote; null for any other text.</summary>
    public static AuditPosition? FromKey(string key) =>
        key.Split('.') is [var at, var sequence]
        && long.TryParse(at, NumberStyles.None, CultureInfo.InvariantCulture, out var ms) && ms <= DateTimeOffset.MaxValue.ToUnixTimeMilliseconds()
        && long.TryParse(sequence, NumberStyles.None, CultureInfo.InvariantCulture, out var number)
            ? new AuditPosition(DateTimeOffset.FromUnixTimeMilliseconds(ms), number)
            : null;
}
