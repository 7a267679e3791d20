using Backchannel.Abstractions;
using Microsoft.Extensions.Logging;
using Npgsql;
using static Backchannel.Storage.Postgres.PostgresParameter;

namespace Backchannel.Storage.Postgres;

/// <summary>
/// The store lock across every node: a session-level advisory lock (<c>pg_advisory_lock</c>) on the name's 64-bit key
/// (<see cref="PostgresAdvisoryLocks.Key"/>), taken on a connection of its own, outside the pool
/// (<see cref="PostgresDatabase.OpenSessionAsync"/>), that the returned handle holds until it is disposed, which unlocks
/// and closes the session. A session that ends releases its locks: whatever happens to the unlock, no connection is left
/// holding the lock (pooled connections are not reset when they are taken again), and a node that dies holding it loses
/// its session, and the lock with it. Locks are taken rarely (seeding, key changes): a connection each costs nothing.
/// </summary>
internal sealed partial class PostgresStoreLock(PostgresDatabase database, ILogger<PostgresStoreLock> logger) : IStoreLock
{
    public async ValueTask<IAsyncDisposable> AcquireAsync(string name, CancellationToken cancellationToken)
    {
        var key = PostgresAdvisoryLocks.Key(name);
        var connection = await database.OpenSessionAsync(cancellationToken);
        try
        {
            await using var command = PostgresDatabase.Command(connection, "SELECT pg_advisory_lock($1)", Bigint(key));
            // Waits on the server; a cancellation is sent to the server, which ends the wait.
            await command.ExecuteNonQueryAsync(cancellationToken);
            return new Held(this, connection, name, key);
        }
        catch (Exception ex)
        {
            // Not acquired, or acquired just as the wait was cancelled: unlock (a lock not held is a warning, not an error).
            await ReleaseAsync(connection, name, key);
            if (PostgresFailures.IsUnavailable(ex))
            {
                throw PostgresFailures.Unavailable(database.Settings, ex);
            }

            throw;
        }
    }

    /// <summary>Unlocks (a lock not held is a warning, not an error) and closes the session, which releases the lock in any case.</summary>
    private async ValueTask ReleaseAsync(NpgsqlConnection connection, string name, long key)
    {
        try
        {
            if (connection.State == System.Data.ConnectionState.Open)
            {
                await using var command = PostgresDatabase.Command(connection, "SELECT pg_advisory_unlock($1)", Bigint(key));
                await command.ExecuteNonQueryAsync(CancellationToken.None);
            }
        }
        catch (Exception ex)
        {
            // The session is gone (the server released the lock with it) or in doubt: closing it releases the lock.
            Log.UnlockFailed(logger, name, ex);
        }
        finally
        {
            await connection.DisposeAsync();
        }
    }

    private sealed class Held(PostgresStoreLock owner, NpgsqlConnection connection, string name, long key) : IAsyncDisposable
    {
        private int _released;

        public ValueTask DisposeAsync() =>
            Interlocked.Exchange(ref _released, 1) == 0 ? owner.ReleaseAsync(connection, name, key) : ValueTask.CompletedTask;
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "Releasing the store lock {Name} failed; its session is closed, which releases it")]
        public static partial void UnlockFailed(ILogger logger, string name, Exception exception);
    }
}
