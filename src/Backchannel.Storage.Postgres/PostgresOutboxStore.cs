using Backchannel.Abstractions;
using Backchannel.Domain;
using Npgsql;
using static Backchannel.Storage.Postgres.PostgresParameter;

namespace Backchannel.Storage.Postgres;

/// <summary>
/// The outbox every node's worker shares. A claim leases due, unleased messages to its owner in one statement, skipping
/// rows another claim has locked (<c>FOR UPDATE SKIP LOCKED</c>), so two nodes never take the same message; completing
/// and rescheduling are conditional on holding the lease (a node whose lease was taken over is fenced off).
/// </summary>
internal sealed class PostgresOutboxStore(PostgresDatabase database) : IOutboxStore
{
    private const string Columns =
        "id, request_id, kind, destination, payload, attempts, next_attempt_at, expires_at, created_at, lease_owner, lease_until";

    private const string InsertColumns =
        "request_id, kind, destination, payload, attempts, next_attempt_at, lease_owner, lease_until, expires_at, created_at";

    /// <summary>The number of parameters <see cref="InsertFrom"/> takes.</summary>
    internal const int InsertParameterCount = 10;

    /// <summary>
    /// An INSERT of one message (with the lease it carries, the in-process hand-off, or none) whose values are the
    /// parameters <c>$first</c> to <c>$first+9</c> (<see cref="Values"/>), once per row of <paramref name="source"/> (a
    /// CTE of the same statement, so that the message exists exactly when the change that causes it does), or once.
    /// </summary>
    internal static string InsertFrom(string? source, int first) =>
        $"INSERT INTO outbox ({InsertColumns}) SELECT {PostgresSql.Parameters(first, InsertParameterCount)}" +
        (source is null ? "" : $" FROM {source}") + " RETURNING id";

    internal static NpgsqlParameter[] Values(OutboxMessage message) =>
    [
        Text(message.RequestId), Integer((int)message.Kind), Text(message.Destination), Bytes(message.Payload), Integer(message.Attempts),
        Time(message.NextAttemptAt), Text(message.LeaseOwner), Time(message.LeaseUntil), Time(message.ExpiresAt), Time(message.CreatedAt),
    ];

    private const string Claim =
        "UPDATE outbox SET lease_owner = $1, lease_until = $2 WHERE id IN (SELECT id FROM outbox WHERE next_attempt_at <= $3 " +
        "AND (lease_until IS NULL OR lease_until <= $3) ORDER BY next_attempt_at, id LIMIT $4 FOR UPDATE SKIP LOCKED) RETURNING " + Columns;

    public async Task<IReadOnlyList<OutboxMessage>> ClaimDueAsync(string owner, DateTimeOffset now, TimeSpan lease, int max,
        CancellationToken cancellationToken)
    {
        var messages = await database.QueryAsync(Claim, [Text(owner), Time(now + lease), Time(now), Integer(max)], Map, cancellationToken);
        // RETURNING keeps no order: the worker gets the earliest due first.
        messages.Sort(static (a, b) => a.NextAttemptAt != b.NextAttemptAt ? a.NextAttemptAt.CompareTo(b.NextAttemptAt) : a.Id.CompareTo(b.Id));
        return messages;
    }

    public async Task<bool> CompleteAsync(long id, string owner, CancellationToken cancellationToken) =>
        await database.ExecuteAsync("DELETE FROM outbox WHERE id = $1 AND lease_owner = $2", [Bigint(id), Text(owner)], cancellationToken) == 1;

    private static readonly string CompleteMany = PostgresSql.Counted("DELETE FROM outbox WHERE id = ANY($1) AND lease_owner = $2");

    public async Task<int> CompleteManyAsync(IReadOnlyList<long> ids, string owner, CancellationToken cancellationToken) =>
        ids.Count == 0
            ? 0
            : (int)await database.ScalarGroupedAsync<long>(CompleteMany, [BigintArray(ids), Text(owner)], cancellationToken);

    public async Task<bool> RescheduleAsync(long id, string owner, int attempts, DateTimeOffset nextAttemptAt, CancellationToken cancellationToken) =>
        await database.ExecuteAsync(
            "UPDATE outbox SET attempts = $1, next_attempt_at = $2, lease_owner = NULL, lease_until = NULL WHERE id = $3 AND lease_owner = $4",
            [Integer(attempts), Time(nextAttemptAt), Bigint(id), Text(owner)], cancellationToken) == 1;

    public Task<int> ReleaseLeasesAsync(string owner, CancellationToken cancellationToken) =>
        database.ExecuteAsync("UPDATE outbox SET lease_owner = NULL, lease_until = NULL WHERE lease_owner = $1", [Text(owner)], cancellationToken);

    private static OutboxMessage Map(NpgsqlDataReader reader) => new()
    {
        Id = reader.GetInt64(0),
        RequestId = reader.GetString(1),
        Kind = (OutboxKind)reader.GetInt32(2),
        Destination = reader.GetString(3),
        Payload = reader.GetNullableBytes(4),
        Attempts = reader.GetInt32(5),
        NextAttemptAt = reader.GetTime(6),
        ExpiresAt = reader.GetTime(7),
        CreatedAt = reader.GetTime(8),
        LeaseOwner = reader.GetNullableString(9),
        LeaseUntil = reader.GetNullableTime(10),
    };
}
