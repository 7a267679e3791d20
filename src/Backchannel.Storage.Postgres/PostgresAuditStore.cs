using Backchannel.Abstractions;
using Backchannel.Domain;
using Npgsql;
using static Backchannel.Storage.Postgres.PostgresParameter;

namespace Backchannel.Storage.Postgres;

/// <summary>The audit trail in PostgreSQL: a batch of events is one INSERT of many rows (arrays unnested), one round trip.</summary>
internal sealed class PostgresAuditStore(PostgresDatabase database) : IAuditStore
{
    private const string Columns = "id, request_id, kind, client_id, subject, at, channel, approved, detail, device";

    private static readonly string Insert = PostgresSql.Counted(
        "INSERT INTO request_events (request_id, kind, client_id, subject, at, channel, approved, detail, device) " +
        "SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::text[], $7::boolean[], $8::text[], $9::text[])");

    private const string ForRequest = "SELECT " + Columns + " FROM request_events WHERE request_id = $1";
    private const string ForSubject = "SELECT " + Columns + " FROM request_events WHERE subject = $1";

    /// <summary>
    /// The first <c>$2</c> events in the order recorded, up to the first that is not older than <c>$1</c>: at most <c>$2</c>
    /// rows are examined, however many events are older.
    /// </summary>
    private const string DeleteOlder =
        "WITH head AS (SELECT id, at FROM request_events ORDER BY id LIMIT $2) " +
        "DELETE FROM request_events WHERE id < coalesce((SELECT min(id) FROM head WHERE at >= $1), (SELECT max(id) + 1 FROM head))";

    public Task AppendAsync(IReadOnlyList<RequestEvent> events, CancellationToken cancellationToken) =>
        events.Count == 0
            ? Task.CompletedTask
            : database.ScalarGroupedAsync<long>(Insert,
            [
                TextArray(events.Select(e => e.RequestId)), TextArray(events.Select(e => RequestEventNames.Of(e.Kind))),
                TextArray(events.Select(e => e.ClientId)), TextArray(events.Select(e => e.Subject)),
                BigintArray(events.Select(e => e.At.ToUnixTimeMilliseconds())), TextArray(events.Select(e => e.Channel)),
                BooleanArray(events.Select(e => e.Approved)), TextArray(events.Select(e => e.Detail)), TextArray(events.Select(e => e.Device)),
            ], cancellationToken);

    public Task<IReadOnlyList<RecordedRequestEvent>> ListForRequestAsync(string requestId, AuditPosition? after, int limit,
        CancellationToken cancellationToken) =>
        ListAsync(after is null ? ForRequest + " ORDER BY at, id LIMIT $2" : ForRequest + " AND (at, id) > ($3, $4) ORDER BY at, id LIMIT $2",
            requestId, after, limit, cancellationToken);

    public Task<IReadOnlyList<RecordedRequestEvent>> ListForSubjectAsync(string subject, AuditPosition? before, int limit,
        CancellationToken cancellationToken) =>
        ListAsync(before is null
                ? ForSubject + " ORDER BY at DESC, id DESC LIMIT $2"
                : ForSubject + " AND (at, id) < ($3, $4) ORDER BY at DESC, id DESC LIMIT $2",
            subject, before, limit, cancellationToken);

    public Task<int> DeleteOlderThanAsync(DateTimeOffset cutoff, int max, CancellationToken cancellationToken) =>
        database.ExecuteAsync(DeleteOlder, [Time(cutoff), Integer(max)], cancellationToken);

    /// <summary>
    /// The events <paramref name="sql"/> selects (<c>$1</c> the request or subject, <c>$2</c> the limit, <c>$3</c> and
    /// <c>$4</c> the position, when given), but those of a kind this version does not know.
    /// </summary>
    private async Task<IReadOnlyList<RecordedRequestEvent>> ListAsync(string sql, string key, AuditPosition? position, int limit,
        CancellationToken cancellationToken) =>
        (await database.QueryAsync(sql,
            position is { } at ? [Text(key), Integer(limit), Time(at.At), Bigint(at.Sequence)] : [Text(key), Integer(limit)], Map, cancellationToken))
        .OfType<RecordedRequestEvent>().ToList();

    /// <summary>A stored event; null for a kind this version does not know (a newer version recorded it).</summary>
    private static RecordedRequestEvent? Map(NpgsqlDataReader r) =>
        RequestEventNames.TryParse(r.GetString(2), out var kind)
            ? new RecordedRequestEvent(r.GetInt64(0), new RequestEvent
            {
                Kind = kind,
                RequestId = r.GetString(1),
                ClientId = r.GetString(3),
                Subject = r.GetString(4),
                At = r.GetTime(5),
                Channel = r.GetNullableString(6),
                Approved = r.IsDBNull(7) ? null : r.GetBoolean(7),
                Detail = r.GetNullableString(8),
                Device = r.GetNullableString(9),
            })
            : null;
}
