using Backchannel.Abstractions;

namespace Backchannel.Storage.Sqlite;

/// <summary>Opens the SQLite store (creating and migrating it) and answers readiness checks.</summary>
internal sealed class SqliteStoreLifecycle(SqliteDatabase database) : IStoreLifecycle, IStoreStatistics
{
    public string Description => $"SQLite {database.DataSource}";

    public Task OpenAsync(CancellationToken cancellationToken)
    {
        database.Open();
        return Task.CompletedTask;
    }

    public Task PingAsync(CancellationToken cancellationToken)
    {
        database.Read(session => session.Scalar("SELECT 1"));
        return Task.CompletedTask;
    }

    public Task<StoreStatistics> ReadAsync(DateTimeOffset now, CancellationToken cancellationToken) =>
        Task.FromResult(database.Read(session =>
        {
            var pending = (long)session.Scalar("SELECT COUNT(*) FROM auth_requests WHERE status = 0 AND expires_at > $now", ("$now", UnixTime.ToMs(now)))!;
            long devices = 0, pings = 0, pushes = 0;
            using var reader = session.Query("SELECT kind, COUNT(*) FROM outbox GROUP BY kind");
            while (reader.Read())
            {
                switch ((Domain.OutboxKind)reader.GetInt32(0))
                {
                    case Domain.OutboxKind.DeviceNotification:
                        devices = reader.GetInt64(1);
                        break;
                    case Domain.OutboxKind.Ping:
                        pings = reader.GetInt64(1);
                        break;
                    default:
                        pushes = reader.GetInt64(1);
                        break;
                }
            }

            return new StoreStatistics(pending, devices, pings, pushes);
        }));
}
