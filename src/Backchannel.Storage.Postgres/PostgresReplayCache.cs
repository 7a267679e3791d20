using Backchannel.Abstractions;
using static Backchannel.Storage.Postgres.PostgresParameter;

namespace Backchannel.Storage.Postgres;

/// <summary>
/// Used JWT ids: one INSERT whose row count says whether the key is new, on every node (the primary key decides a race).
/// As in the embedded store, an entry stays until the clean-up removes it after it expired.
/// </summary>
internal sealed class PostgresReplayCache(PostgresDatabase database) : IReplayCache
{
    public async Task<bool> TryAddAsync(string key, DateTimeOffset expiresAt, CancellationToken cancellationToken) =>
        await database.ScalarGroupedAsync<long>(Add, [Text(key), Time(expiresAt)], cancellationToken) == 1;

    private static readonly string Add =
        PostgresSql.Counted("INSERT INTO used_jtis (jti_key, expires_at) VALUES ($1, $2) ON CONFLICT (jti_key) DO NOTHING");

    public Task<int> DeleteExpiredAsync(DateTimeOffset now, CancellationToken cancellationToken) =>
        database.ExecuteAsync("DELETE FROM used_jtis WHERE expires_at < $1", [Time(now)], cancellationToken);
}
