using Backchannel.Abstractions;
using Backchannel.Domain;
using Microsoft.Data.Sqlite;

namespace Backchannel.Storage.Sqlite;

/// <summary>The outbox in SQLite: leases with an owner; completing and rescheduling are conditional on holding the lease.</summary>
internal sealed class SqliteOutboxStore(SqliteDatabase database) : IOutboxStore
{
    private const string Columns = "id, request_id, kind, destination, payload, attempts, next_attempt_at, expires_at, created_at, lease_owner, lease_until";

    /// <summary>Inserts a message inside the caller's transaction, with the lease it carries (the in-process hand-off) or none.</summary>
    internal static OutboxMessage Insert(SqliteSession session, OutboxMessage message)
    {
        var id = (long)session.Scalar(
            "INSERT INTO outbox (request_id, kind, destination, payload, attempts, next_attempt_at, lease_owner, lease_until, expires_at, created_at) " +
            "VALUES ($request_id, $kind, $destination, $payload, $attempts, $next, $owner, $lease, $expires, $created) RETURNING id",
            ("$request_id", message.RequestId), ("$kind", (int)message.Kind), ("$destination", message.Destination), ("$payload", message.Payload),
            ("$attempts", message.Attempts), ("$next", UnixTime.ToMs(message.NextAttemptAt)), ("$owner", message.LeaseOwner),
            ("$lease", message.LeaseUntil is { } lease ? UnixTime.ToMs(lease) : 0L),
            ("$expires", UnixTime.ToMs(message.ExpiresAt)), ("$created", UnixTime.ToMs(message.CreatedAt)))!;
        return message with { Id = id };
    }

    public Task<IReadOnlyList<OutboxMessage>> ClaimDueAsync(string owner, DateTimeOffset now, TimeSpan lease, int max, CancellationToken cancellationToken) =>
        database.WriteAsync<IReadOnlyList<OutboxMessage>>(session =>
        {
            var messages = session.Query(
                    "UPDATE outbox SET lease_owner = $owner, lease_until = $lease WHERE id IN (SELECT id FROM outbox WHERE next_attempt_at <= $now " +
                    "AND lease_until <= $now ORDER BY next_attempt_at LIMIT $max) RETURNING " + Columns,
                    ("$owner", owner), ("$lease", UnixTime.ToMs(now + lease)), ("$now", UnixTime.ToMs(now)), ("$max", max))
                .ReadAll(Map);
            messages.Sort((a, b) => a.NextAttemptAt.CompareTo(b.NextAttemptAt));
            return messages;
        });

    public Task<bool> CompleteAsync(long id, string owner, CancellationToken cancellationToken) =>
        database.WriteAsync(session => session.Execute("DELETE FROM outbox WHERE id = $id AND lease_owner = $owner", ("$id", id), ("$owner", owner)) == 1);

    public Task<int> CompleteManyAsync(IReadOnlyList<long> ids, string owner, CancellationToken cancellationToken) =>
        database.WriteAsync(session => ids.Sum(id => session.Execute("DELETE FROM outbox WHERE id = $id AND lease_owner = $owner", ("$id", id), ("$owner", owner))));

    public Task<bool> RescheduleAsync(long id, string owner, int attempts, DateTimeOffset nextAttemptAt, CancellationToken cancellationToken) =>
        database.WriteAsync(session => session.Execute(
            "UPDATE outbox SET attempts = $attempts, next_attempt_at = $next, lease_owner = NULL, lease_until = 0 WHERE id = $id AND lease_owner = $owner",
            ("$attempts", attempts), ("$next", UnixTime.ToMs(nextAttemptAt)), ("$id", id), ("$owner", owner)) == 1);

    public Task<int> ReleaseLeasesAsync(string owner, CancellationToken cancellationToken) =>
        database.WriteAsync(session => session.Execute(
            "UPDATE outbox SET lease_owner = NULL, lease_until = 0 WHERE lease_owner = $owner", ("$owner", owner)));

    private static OutboxMessage Map(SqliteDataReader reader) => new()
    {
        Id = reader.GetInt64(0),
        RequestId = reader.GetString(1),
        Kind = (OutboxKind)reader.GetInt32(2),
        Destination = reader.GetString(3),
        Payload = reader.IsDBNull(4) ? null : (byte[])reader.GetValue(4),
        Attempts = reader.GetInt32(5),
        NextAttemptAt = UnixTime.FromMs(reader.GetInt64(6)),
        ExpiresAt = UnixTime.FromMs(reader.GetInt64(7)),
        CreatedAt = UnixTime.FromMs(reader.GetInt64(8)),
        LeaseOwner = reader.GetNullableString(9),
        LeaseUntil = UnixTime.FromMs(reader.GetInt64(10)),
    };
}
