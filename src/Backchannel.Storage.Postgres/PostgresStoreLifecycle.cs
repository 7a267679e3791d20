using Backchannel.Abstractions;
using Backchannel.Domain;
using static Backchannel.Storage.Postgres.PostgresParameter;

namespace Backchannel.Storage.Postgres;

/// <summary>
/// Opens the PostgreSQL store (connects and applies the pending migrations, safe when many nodes start together),
/// answers readiness checks and reads the operators' gauges.
/// </summary>
internal sealed class PostgresStoreLifecycle(PostgresDatabase database, PostgresMigrator migrator) : IStoreLifecycle, IStoreStatistics
{
    private volatile bool _opened;

    public string Description => database.Settings.Description;

    public async Task OpenAsync(CancellationToken cancellationToken)
    {
        if (_opened)
        {
            return;
        }

        try
        {
            await database.RunAsync((connection, token) => migrator.MigrateAsync(connection, Description, token), cancellationToken);
        }
        catch (StoreUnavailableException ex) when (ex.InnerException is { } cause)
        {
            throw PostgresFailures.CannotOpen(database.Settings, cause);
        }
        catch (Npgsql.PostgresException ex)
        {
            // Not a connection failure: a migration the server refused (a missing privilege, a conflicting object).
            throw PostgresFailures.CannotOpen(database.Settings, ex);
        }

        _opened = true;
    }

    public async Task PingAsync(CancellationToken cancellationToken) =>
        await database.ScalarAsync<int>("SELECT 1", [], cancellationToken);

    public async Task<StoreStatistics> ReadAsync(DateTimeOffset now, CancellationToken cancellationToken) =>
        (await database.QueryFirstAsync(
            "SELECT (SELECT count(*) FROM auth_requests WHERE status = $1 AND expires_at > $2), " +
            "count(*) FILTER (WHERE kind = $3), count(*) FILTER (WHERE kind = $4), count(*) FILTER (WHERE kind NOT IN ($3, $4)) FROM outbox",
            [Integer((int)AuthenticationRequestStatus.Pending), Time(now), Integer((int)OutboxKind.DeviceNotification), Integer((int)OutboxKind.Ping)],
            reader => new StoreStatistics(reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3)),
            cancellationToken))!;
}
