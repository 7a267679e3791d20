namespace Backchannel.Storage.Sqlite;

internal sealed class SqliteOutboxStore(SqliteDatabase database) : IOutboxStore
{
    /// <summary>Inserts a message inside the caller's transaction; a message inserted with a lease is the inserting node's to send.</summary>
    internal static OutboxMessage Insert(SqliteSession session, OutboxMessage message, DateTimeOffset? leaseUntil = null)
    {
        var id = (long)session.Scalar(
            "INSERT INTO outbox (request_id, kind, payload, attempts, next_attempt_at, lease_until, expires_at, created_at) " +
            "VALUES ($request_id, $kind, $payload, $attempts, $next, $lease, $expires, $created) RETURNING id",
            ("$request_id", message.RequestId), ("$kind", (int)message.Kind), ("$payload", message.Payload),
            ("$attempts", message.Attempts), ("$next", UnixTime.ToMs(message.NextAttemptAt)),
            ("$lease", leaseUntil is { } lease ? UnixTime.ToMs(lease) : UnixTime.ToMs(message.NextAttemptAt) + LeaseOnInsert),
            ("$expires", UnixTime.ToMs(message.ExpiresAt)), ("$created", UnixTime.ToMs(message.CreatedAt)))!;
        return message with { Id = id };
    }

    /// <summary>
    /// A new message is handed to the worker in memory right after its commit; the lease keeps the periodic scan from
    /// sending it a second time meanwhile. If the process dies, the lease runs out (or is released at start) and the scan sends it.
    /// </summary>
    internal const long LeaseOnInsert = 60_000;

    public Task<IReadOnlyList<OutboxMessage>> ClaimDueAsync(DateTimeOffset now, TimeSpan lease, int max, CancellationToken cancellationToken) =>
        database.WriteAsync<IReadOnlyList<OutboxMessage>>(session =>
        {
            var messages = new List<OutboxMessage>();
            using (var reader = session.Query(
                       "UPDATE outbox SET lease_until = $lease WHERE id IN (SELECT id FROM outbox WHERE next_attempt_at <= $now " +
                       "AND lease_until <= $now ORDER BY next_attempt_at LIMIT $max) " +
                       "RETURNING id, request_id, kind, payload, attempts, next_attempt_at, expires_at, created_at",
                       ("$lease", UnixTime.ToMs(now + lease)), ("$now", UnixTime.ToMs(now)), ("$max", max)))
            {
                while (reader.Read())
                {
                    messages.Add(new OutboxMessage
                    {
                        Id = reader.GetInt64(0),
                        RequestId = reader.GetString(1),
                        Kind = (OutboxKind)reader.GetInt32(2),
                        Payload = reader.IsDBNull(3) ? null : (byte[])reader.GetValue(3),
                        Attempts = reader.GetInt32(4),
                        NextAttemptAt = UnixTime.FromMs(reader.GetInt64(5)),
                        ExpiresAt = UnixTime.FromMs(reader.GetInt64(6)),
                        CreatedAt = UnixTime.FromMs(reader.GetInt64(7)),
                    });
                }
            }

            messages.Sort((a, b) => a.NextAttemptAt.CompareTo(b.NextAttemptAt));
            return messages;
        });

    public Task CompleteAsync(long id, CancellationToken cancellationToken) =>
        database.WriteAsync(session => session.Execute("DELETE FROM outbox WHERE id = $id", ("$id", id)));

    public Task CompleteManyAsync(IReadOnlyList<long> ids, CancellationToken cancellationToken) =>
        database.WriteAsync(session =>
        {
            foreach (var id in ids)
            {
                session.Execute("DELETE FROM outbox WHERE id = $id", ("$id", id));
            }

            return ids.Count;
        });

    public Task RescheduleAsync(long id, int attempts, DateTimeOffset nextAttemptAt, CancellationToken cancellationToken) =>
        database.WriteAsync(session => session.Execute(
            "UPDATE outbox SET attempts = $attempts, next_attempt_at = $next, lease_until = 0 WHERE id = $id",
            ("$attempts", attempts), ("$next", UnixTime.ToMs(nextAttemptAt)), ("$id", id)));

    public Task ReleaseLeasesAsync(CancellationToken cancellationToken) =>
        database.WriteAsync(session => session.Execute("UPDATE outbox SET lease_until = 0 WHERE lease_until <> 0"));

    public ValueTask<DateTimeOffset?> NextDueAsync(CancellationToken cancellationToken) =>
        ValueTask.FromResult(database.Read(session =>
            session.Scalar("SELECT MIN(MAX(next_attempt_at, lease_until)) FROM outbox") is long ms ? UnixTime.FromMs(ms) : (DateTimeOffset?)null));
}
