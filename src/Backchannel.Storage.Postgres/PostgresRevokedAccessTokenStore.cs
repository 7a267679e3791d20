using Backchannel.Abstractions;
using static Backchannel.Storage.Postgres.PostgresParameter;

namespace Backchannel.Storage.Postgres;

/// <summary>Access tokens (by jti) taken back before they expire, seen by every node.</summary>
internal sealed class PostgresRevokedAccessTokenStore(PostgresDatabase database) : IRevokedAccessTokenStore
{
    public Task RevokeAsync(string jti, DateTimeOffset expiresAt, CancellationToken cancellationToken) =>
        database.ExecuteAsync("INSERT INTO revoked_access_tokens (jti, expires_at) VALUES ($1, $2) ON CONFLICT (jti) DO NOTHING",
            [Text(jti), Time(expiresAt)], cancellationToken);

    public async ValueTask<bool> IsRevokedAsync(string jti, CancellationToken cancellationToken) =>
        await database.ScalarAsync<bool>("SELECT EXISTS (SELECT 1 FROM revoked_access_tokens WHERE jti = $1)", [Text(jti)], cancellationToken);

    public Task<int> DeleteExpiredAsync(DateTimeOffset now, CancellationToken cancellationToken) =>
        database.ExecuteAsync("DELETE FROM revoked_access_tokens WHERE expires_at < $1", [Time(now)], cancellationToken);
}
