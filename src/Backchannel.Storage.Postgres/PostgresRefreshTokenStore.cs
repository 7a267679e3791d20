using Backchannel.Abstractions;
using Backchannel.Domain;
using Npgsql;
using static Backchannel.Storage.Postgres.PostgresParameter;

namespace Backchannel.Storage.Postgres;

/// <summary>
/// Refresh tokens. A rotation is one statement: the conditional UPDATE that consumes the unconsumed, unrevoked,
/// unexpired token and the INSERT of its replacement fed by it, so the replacement exists exactly when the token was
/// consumed, once, whichever node rotates. When it consumed nothing, one conditional UPDATE revokes the family of a
/// token that was consumed before (a reuse).
/// </summary>
internal sealed class PostgresRefreshTokenStore(PostgresDatabase database) : IRefreshTokenStore
{
    private const string Columns =
        "token_hash, family_id, client_id, subject, scope, auth_time, acr, amr, created_at, expires_at, consumed_at, revoked_at, authorization_details";

    /// <summary>The number of parameters <see cref="InsertFrom"/> takes.</summary>
    internal const int InsertParameterCount = 11;

    /// <summary>
    /// An INSERT of one token whose values are the parameters <c>$first</c> to <c>$first+10</c> (<see cref="Values"/>), once
    /// per row of <paramref name="source"/>, a CTE of the same statement (a redemption, a decision, a consumed token).
    /// </summary>
    internal static string InsertFrom(string source, int first) =>
        "INSERT INTO refresh_tokens (token_hash, family_id, client_id, subject, scope, auth_time, acr, amr, created_at, expires_at, " +
        $"authorization_details) SELECT {PostgresSql.Parameters(first, InsertParameterCount)} FROM {source}";

    internal static NpgsqlParameter[] Values(RefreshTokenRecord token) =>
    [
        Bytes(token.TokenHash), Text(token.FamilyId), Text(token.ClientId), Text(token.Subject), Text(token.Scope), Time(token.AuthTime),
        Text(token.Acr), TextArray(token.Amr), Time(token.CreatedAt), Time(token.ExpiresAt), Text(token.AuthorizationDetails),
    ];

    private static readonly string Rotate =
        "WITH consumed AS (UPDATE refresh_tokens SET consumed_at = $1 WHERE token_hash = $2 AND consumed_at IS NULL AND revoked_at IS NULL " +
        "AND expires_at > $1 RETURNING 1), replacement AS (" + InsertFrom("consumed", 3) + ") SELECT count(*) FROM consumed";

    /// <summary>
    /// Revokes the family of a token consumed before and still unrevoked and unexpired: a reuse. A statement of its own,
    /// after the rotation's, so that it sees a consumption another node committed while the rotation waited for the row.
    /// </summary>
    private const string RevokeReusedFamily =
        "UPDATE refresh_tokens SET revoked_at = $1 WHERE revoked_at IS NULL AND family_id = (SELECT family_id FROM refresh_tokens " +
        "WHERE token_hash = $2 AND consumed_at IS NOT NULL AND revoked_at IS NULL AND expires_at > $1)";

    public ValueTask<RefreshTokenRecord?> FindAsync(byte[] tokenHash, CancellationToken cancellationToken) =>
        new(database.QueryFirstAsync("SELECT " + Columns + " FROM refresh_tokens WHERE token_hash = $1", [Bytes(tokenHash)], Map, cancellationToken));

    public async Task<RotationOutcome> RotateAsync(byte[] tokenHash, RefreshTokenRecord replacement, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (await database.ScalarGroupedAsync<long>(Rotate, [Time(now), Bytes(tokenHash), .. Values(replacement)], cancellationToken) == 1)
        {
            return RotationOutcome.Rotated;
        }

        return await database.ExecuteAsync(RevokeReusedFamily, [Time(now), Bytes(tokenHash)], cancellationToken) > 0
            ? RotationOutcome.ReuseDetected
            : RotationOutcome.Invalid;
    }

    public Task RevokeFamilyAsync(string familyId, DateTimeOffset now, CancellationToken cancellationToken) =>
        database.ExecuteAsync("UPDATE refresh_tokens SET revoked_at = $1 WHERE family_id = $2 AND revoked_at IS NULL",
            [Time(now), Text(familyId)], cancellationToken);

    public Task<int> RevokeFamilyOfTokenAsync(byte[] tokenHash, string clientId, DateTimeOffset now, CancellationToken cancellationToken) =>
        database.ExecuteAsync(
            "UPDATE refresh_tokens SET revoked_at = $1 WHERE revoked_at IS NULL AND family_id = " +
            "(SELECT family_id FROM refresh_tokens WHERE token_hash = $2 AND client_id = $3)",
            [Time(now), Bytes(tokenHash), Text(clientId)], cancellationToken);

    public async ValueTask<bool> IsFamilyRevokedAsync(string familyId, CancellationToken cancellationToken) =>
        await database.ScalarAsync<bool>("SELECT EXISTS (SELECT 1 FROM refresh_tokens WHERE family_id = $1 AND revoked_at IS NOT NULL)",
            [Text(familyId)], cancellationToken);

    public Task<int> DeleteExpiredAsync(DateTimeOffset cutoff, CancellationToken cancellationToken) =>
        database.ExecuteAsync(
            "DELETE FROM refresh_tokens WHERE family_id IN (SELECT r.family_id FROM refresh_tokens r WHERE r.expires_at < $1 " +
            "AND NOT EXISTS (SELECT 1 FROM refresh_tokens s WHERE s.family_id = r.family_id AND s.expires_at >= $1))",
            [Time(cutoff)], cancellationToken);

    private static RefreshTokenRecord Map(NpgsqlDataReader r) => new()
    {
        TokenHash = r.GetBytes(0),
        FamilyId = r.GetString(1),
        ClientId = r.GetString(2),
        Subject = r.GetString(3),
        Scope = r.GetString(4),
        AuthTime = r.GetTime(5),
        Acr = r.GetNullableString(6),
        Amr = r.GetNullableStrings(7),
        CreatedAt = r.GetTime(8),
        ExpiresAt = r.GetTime(9),
        ConsumedAt = r.GetNullableTime(10),
        RevokedAt = r.GetNullableTime(11),
        AuthorizationDetails = r.GetNullableString(12),
    };
}
