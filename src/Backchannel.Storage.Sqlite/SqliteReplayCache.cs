using Backchannel.Abstractions;

namespace Backchannel.Storage.Sqlite;

internal sealed class SqliteReplayCache(SqliteDatabase database) : IReplayCache
{
    public Task<bool> TryAddAsync(string key, DateTimeOffset expiresAt, CancellationToken cancellationToken) =>
        database.WriteAsync(session => session.Execute(
            "INSERT OR IGNORE INTO used_jtis (jti_key, expires_at) VALUES ($key, $expires)",
            ("$key", key), ("$expires", UnixTime.ToMs(expiresAt))) == 1);

    public Task<int> DeleteExpiredAsync(DateTimeOffset now, CancellationToken cancellationToken) =>
        database.WriteAsync(session => session.Execute("DELETE FROM used_jtis WHERE expires_at < $now", ("$now", UnixTime.ToMs(now))));
}
