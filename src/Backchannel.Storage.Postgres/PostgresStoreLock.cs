using Backchannel.Abstractions;
using Microsoft.Extensions.Logging;
using Npgsql;
using static Backchannel.Storage.Postgres.PostgresParameter;

namespace Backchannel.Storage.Postgres;

/// <summary>
/// The store lock across every node: a session-level advisory lock (<c>pg_advisory_lock</c>) on the name's 64-bit key
/// (<see cref="PostgresAdvisoryLocks.Key"/>), taken on a connection of the pool that the returned handle holds until it
/// is disposed, which unlocks and gives the connection back. A node that dies holding it loses its session, and the
/// server releases the lock with it.
/// </summary>
internal sealed partial class PostgresStoreLock(PostgresDatabase database, ILogger<PostgresStoreLock> logger) : IStoreLock
{
    public async ValueTask<IAsyncDisposable> AcquireAsync(string name, CancellationToken cancellationToken)
    {
        var key = PostgresAdvisoryLocks.Key(name);
        var connection = await database.OpenConnectionAsync(cancellationToken);
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

    /// <summary>
    /// Unlocks and gives the connection back to the pool; when the unlock fails, the connection does not go back (the
    /// pool discards it), so that no idle session keeps holding the lock.
    /// </summary>
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
        catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException or TimeoutException)
        {
            // The session is gone (the server released the lock with it) or in doubt.
            Log.UnlockFailed(logger, name, ex);
            NpgsqlConnection.ClearPool(connection);
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
        [LoggerMessage(1, LogLevel.Warning, "Releasing the store lock {Name} failed; its connection is discarded, which releases it")]
        public static partial void UnlockFailed(ILogger logger, string name, Exception exception);
    }
}
