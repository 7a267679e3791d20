using Backchannel.Abstractions;
using Backchannel.Domain;
using Microsoft.Data.Sqlite;

namespace Backchannel.Storage.Sqlite;

internal sealed class SqliteRefreshTokenStore(SqliteDatabase database) : IRefreshTokenStore
{
    private const string Columns =
        "token_hash, family_id, client_id, subject, scope, auth_time, acr, amr, created_at, expires_at, consumed_at, revoked_at, authorization_details";

    internal static void Insert(SqliteSession session, RefreshTokenRecord token) =>
        session.Execute(
            "INSERT INTO refresh_tokens (" + Columns + ") VALUES ($hash, $family, $client_id, $subject, $scope, $auth_time, $acr, $amr, " +
            "$created_at, $expires_at, NULL, NULL, $authorization_details)",
            ("$hash", token.TokenHash), ("$family", token.FamilyId), ("$client_id", token.ClientId), ("$subject", token.Subject),
            ("$scope", token.Scope), ("$auth_time", UnixTime.ToMs(token.AuthTime)), ("$acr", token.Acr),
            ("$amr", token.Amr is null ? null : StorageJson.SerializeStrings(token.Amr)),
            ("$created_at", UnixTime.ToMs(token.CreatedAt)), ("$expires_at", UnixTime.ToMs(token.ExpiresAt)),
            ("$authorization_details", token.AuthorizationDetails));

    public ValueTask<RefreshTokenRecord?> FindAsync(byte[] tokenHash, CancellationToken cancellationToken) =>
        ValueTask.FromResult(database.Read(session => Find(session, tokenHash)));

    public Task<RotationOutcome> RotateAsync(byte[] tokenHash, RefreshTokenRecord replacement, DateTimeOffset now, CancellationToken cancellationToken) =>
        database.WriteAsync(session =>
        {
            if (session.Execute(
                    "UPDATE refresh_tokens SET consumed_at = $now WHERE token_hash = $hash AND consumed_at IS NULL AND revoked_at IS NULL AND expires_at > $now",
                    ("$now", UnixTime.ToMs(now)), ("$hash", tokenHash)) == 1)
            {
                Insert(session, replacement);
                return RotationOutcome.Rotated;
            }

            // Not rotated: a consumed (unrevoked, unexpired) token used again is a reuse and revokes its family.
            var current = Find(session, tokenHash);
            if (current is { ConsumedAt: not null, RevokedAt: null } && current.ExpiresAt > now)
            {
                RevokeFamily(session, current.FamilyId, now);
                return RotationOutcome.ReuseDetected;
            }

            return RotationOutcome.Invalid;
        });

    public Task RevokeFamilyAsync(string familyId, DateTimeOffset now, CancellationToken cancellationToken) =>
        database.WriteAsync(session => RevokeFamily(session, familyId, now));

    public Task<int> RevokeFamilyOfTokenAsync(byte[] tokenHash, string clientId, DateTimeOffset now, CancellationToken cancellationToken) =>
        database.WriteAsync(session => session.Execute(
            "UPDATE refresh_tokens SET revoked_at = $now WHERE revoked_at IS NULL AND family_id = " +
            "(SELECT family_id FROM refresh_tokens WHERE token_hash = $hash AND client_id = $client_id)",
            ("$now", UnixTime.ToMs(now)), ("$hash", tokenHash), ("$client_id", clientId)));

    public ValueTask<bool> IsFamilyRevokedAsync(string familyId, CancellationToken cancellationToken) =>
        ValueTask.FromResult(database.Read(session =>
            session.Scalar("SELECT 1 FROM refresh_tokens WHERE family_id = $family AND revoked_at IS NOT NULL LIMIT 1", ("$family", familyId)) is not null));

    private static int RevokeFamily(SqliteSession session, string familyId, DateTimeOffset now) =>
        session.Execute("UPDATE refresh_tokens SET revoked_at = $now WHERE family_id = $family AND revoked_at IS NULL",
            ("$now", UnixTime.ToMs(now)), ("$family", familyId));

    public Task<int> DeleteExpiredAsync(DateTimeOffset cutoff, CancellationToken cancellationToken) =>
        database.WriteAsync(session => session.Execute(
            "DELETE FROM refresh_tokens WHERE family_id IN (SELECT family_id FROM refresh_tokens GROUP BY family_id HAVING MAX(expires_at) < $cutoff)",
            ("$cutoff", UnixTime.ToMs(cutoff))));

    private static RefreshTokenRecord? Find(SqliteSession session, byte[] tokenHash)
    {
        using var reader = session.Query("SELECT " + Columns + " FROM refresh_tokens WHERE token_hash = $hash", ("$hash", tokenHash));
        return reader.Read() ? Map(reader) : null;
    }

    private static RefreshTokenRecord Map(SqliteDataReader r) => new()
    {
        TokenHash = (byte[])r.GetValue(0),
        FamilyId = r.GetString(1),
        ClientId = r.GetString(2),
        Subject = r.GetString(3),
        Scope = r.GetString(4),
        AuthTime = UnixTime.FromMs(r.GetInt64(5)),
        Acr = r.GetNullableString(6),
        Amr = r.IsDBNull(7) ? null : StorageJson.DeserializeStrings(r.GetString(7)),
        CreatedAt = UnixTime.FromMs(r.GetInt64(8)),
        ExpiresAt = UnixTime.FromMs(r.GetInt64(9)),
        ConsumedAt = r.IsDBNull(10) ? null : UnixTime.FromMs(r.GetInt64(10)),
        RevokedAt = r.IsDBNull(11) ? null : UnixTime.FromMs(r.GetInt64(11)),
        AuthorizationDetails = r.GetNullableString(12),
    };
}
