using Backchannel.Abstractions;
using Backchannel.Domain;
using Microsoft.Data.Sqlite;

namespace Backchannel.Storage.Sqlite;

/// <summary>The audit trail in SQLite: a batch of events is one write operation (one group commit with the others).</summary>
internal sealed class SqliteAuditStore(SqliteDatabase database) : IAuditStore
{
    private const string Columns = "id, request_id, kind, client_id, subject, at, channel, approved, detail, device";

    private const string Insert =
        "INSERT INTO request_events (request_id, kind, client_id, subject, at, channel, approved, detail, device) " +
        "VALUES ($request_id, $kind, $client_id, $subject, $at, $channel, $approved, $detail, $device)";

    private const string ForRequest = "SELECT " + Columns + " FROM request_events WHERE request_id = $key";
    private const string ForSubject = "SELECT " + Columns + " FROM request_events WHERE subject = $key";

    /// <summary>
    /// The first <c>$max</c> events in the order recorded, up to the first that is not older than <c>$cutoff</c>: at most
    /// <c>$max</c> rows are examined, however many events are older.
    /// </summary>
    private const string DeleteOlder =
        "DELETE FROM request_events WHERE id < coalesce(" +
        "(SELECT id FROM (SELECT id, at FROM request_events ORDER BY id LIMIT $max) WHERE at >= $cutoff ORDER BY id LIMIT 1), " +
        "(SELECT max(id) + 1 FROM (SELECT id FROM request_events ORDER BY id LIMIT $max)))";

    public Task AppendAsync(IReadOnlyList<RequestEvent> events, CancellationToken cancellationToken) =>
        events.Count == 0
            ? Task.CompletedTask
            : database.WriteAsync(session =>
            {
                foreach (var e in events)
                {
                    session.Execute(Insert,
                        ("$request_id", e.RequestId), ("$kind", RequestEventNames.Of(e.Kind)), ("$client_id", e.ClientId), ("$subject", e.Subject),
                        ("$at", UnixTime.ToMs(e.At)), ("$channel", e.Channel), ("$approved", e.Approved is { } approved ? (approved ? 1 : 0) : null),
                        ("$detail", e.Detail), ("$device", e.Device));
                }

                return events.Count;
            });

    public Task<IReadOnlyList<RecordedRequestEvent>> ListForRequestAsync(string requestId, AuditPosition? after, int limit,
        CancellationToken cancellationToken) =>
        Task.FromResult(List(after is not null
            ? ForRequest + " AND (at, id) > ($at, $id) ORDER BY at, id LIMIT $limit"
            : ForRequest + " ORDER BY at, id LIMIT $limit", requestId, after, limit));

    public Task<IReadOnlyList<RecordedRequestEvent>> ListForSubjectAsync(string subject, AuditPosition? before, int limit,
        CancellationToken cancellationToken) =>
        Task.FromResult(List(before is not null
            ? ForSubject + " AND (at, id) < ($at, $id) ORDER BY at DESC, id DESC LIMIT $limit"
            : ForSubject + " ORDER BY at DESC, id DESC LIMIT $limit", subject, before, limit));

    public Task<int> DeleteOlderThanAsync(DateTimeOffset cutoff, int max, CancellationToken cancellationToken) =>
        database.WriteAsync(session => session.Execute(DeleteOlder, ("$cutoff", UnixTime.ToMs(cutoff)), ("$max", max)));

    /// <summary>The events <paramref name="sql"/> selects, but those of a kind this version does not know.</summary>
    private IReadOnlyList<RecordedRequestEvent> List(string sql, string key, AuditPosition? position, int limit) =>
        database.Read(session => (position is { } at
                ? session.Query(sql, ("$key", key), ("$at", UnixTime.ToMs(at.At)), ("$id", at.Sequence), ("$limit", limit))
                : session.Query(sql, ("$key", key), ("$limit", limit)))
            .ReadAll(Map).OfType<RecordedRequestEvent>().ToList());

    /// <summary>A stored event; null for a kind this version does not know (a newer version recorded it).</summary>
    private static RecordedRequestEvent? Map(SqliteDataReader r) =>
        RequestEventNames.TryParse(r.GetString(2), out var kind)
            ? new RecordedRequestEvent(r.GetInt64(0), new RequestEvent
            {
                Kind = kind,
                RequestId = r.GetString(1),
                ClientId = r.GetString(3),
                Subject = r.GetString(4),
                At = UnixTime.FromMs(r.GetInt64(5)),
                Channel = r.GetNullableString(6),
                Approved = r.IsDBNull(7) ? null : r.GetInt64(7) == 1,
                Detail = r.GetNullableString(8),
                Device = r.GetNullableString(9),
            })
            : null;
}
