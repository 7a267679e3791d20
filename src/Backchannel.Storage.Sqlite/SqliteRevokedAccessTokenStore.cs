using Backchannel.Abstractions;

namespace Backchannel.Storage.Sqlite;

internal sealed class SqliteRevokedAccessTokenStore(SqliteDatabase database) : IRevokedAccessTokenStore
{
    public Task RevokeAsync(string jti, DateTimeOffset expiresAt, CancellationToken cancellationToken) =>
        database.WriteAsync(session => session.Execute(
            "INSERT OR IGNORE INTO revoked_access_tokens (jti, expires_at) VALUES ($jti, $expires)",
            ("$jti", jti), ("$expires", UnixTime.ToMs(expiresAt))));

    public ValueTask<bool> IsRevokedAsync(string jti, CancellationToken cancellationToken) =>
        ValueTask.FromResult(database.Read(session =>
            session.Scalar("SELECT 1 FROM revoked_access_tokens WHERE jti = $jti", ("$jti", jti)) is not null));

    public Task<int> DeleteExpiredAsync(DateTimeOffset now, CancellationToken cancellationToken) =>
        database.WriteAsync(session => session.Execute("DELETE FROM revoked_access_tokens WHERE expires_at < $now", ("$now", UnixTime.ToMs(now))));
}
