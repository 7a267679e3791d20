using Microsoft.Extensions.Logging;
using Npgsql;

namespace Backchannel.Storage.Postgres;

/// <summary>
/// The stores' way to the database: one pooled <see cref="NpgsqlDataSource"/> per process (owned here, disposed with the
/// container, not registered as a service of its own so that a host's own data source is left alone), and one without a
/// pool for the sessions that keep state (<see cref="OpenSessionAsync"/>). Each operation takes a connection from the
/// pool for one round trip (statements are prepared per connection automatically) and turns a database that cannot be
/// reached into <see cref="Abstractions.StoreUnavailableException"/>.
/// </summary>
internal sealed class PostgresDatabase : IAsyncDisposable, IDisposable
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly NpgsqlDataSource _sessions;
    private readonly NpgsqlDataSource _groupSessions;
    private readonly PostgresCommitGroups _groups;

    public PostgresDatabase(PostgresConnectionSettings settings, ILoggerFactory loggerFactory)
    {
        Settings = settings;
        _dataSource = settings.BuildDataSource(loggerFactory);
        _sessions = settings.BuildDataSource(loggerFactory, pooled: false);
        _groupSessions = settings.BuildDataSource(loggerFactory, lockTimeout: PostgresCommitGroups.LockTimeout);
        _groups = new PostgresCommitGroups(_groupSessions, _dataSource);
    }

    public PostgresConnectionSettings Settings { get; }

    /// <summary>Runs one statement; the rows it changed.</summary>
    public Task<int> ExecuteAsync(string sql, NpgsqlParameter[] parameters, CancellationToken cancellationToken) =>
        GuardAsync(Command(sql, parameters), static async (command, ct) =>
        {
            await using (command)
            {
                return await command.ExecuteNonQueryAsync(ct);
            }
        }, cancellationToken);

    /// <summary>Runs one statement; the first column of its first row (default when there is none, or it is null).</summary>
    public Task<T?> ScalarAsync<T>(string sql, NpgsqlParameter[] parameters, CancellationToken cancellationToken) =>
        GuardAsync(Command(sql, parameters), static async (command, ct) =>
        {
            await using (command)
            {
                return await command.ExecuteScalarAsync(ct) is T value ? value : default;
            }
        }, cancellationToken);

    /// <summary>Runs one statement; its first row, mapped, or null.</summary>
    public async Task<T?> QueryFirstAsync<T>(string sql, NpgsqlParameter[] parameters, Func<NpgsqlDataReader, T> map,
        CancellationToken cancellationToken)
        where T : class
    {
        var rows = await QueryAsync(sql, parameters, map, cancellationToken, limit: 1);
        return rows.Count > 0 ? rows[0] : null;
    }

    /// <summary>Runs one statement; its first row, mapped to a value, or null.</summary>
    public async Task<T?> QueryFirstValueAsync<T>(string sql, NpgsqlParameter[] parameters, Func<NpgsqlDataReader, T> map,
        CancellationToken cancellationToken)
        where T : struct
    {
        var rows = await QueryAsync(sql, parameters, map, cancellationToken, limit: 1);
        return rows.Count > 0 ? rows[0] : null;
    }

    /// <summary>Runs one statement; its rows (the first <paramref name="limit"/> of them), mapped.</summary>
    public Task<List<T>> QueryAsync<T>(string sql, NpgsqlParameter[] parameters, Func<NpgsqlDataReader, T> map,
        CancellationToken cancellationToken, int limit = int.MaxValue) =>
        GuardAsync((Command: Command(sql, parameters), Map: map, Limit: limit), static async (query, ct) =>
        {
            await using var command = query.Command;
            await using var reader = await command.ExecuteReaderAsync(ct);
            var rows = new List<T>(query.Limit == 1 ? 1 : 4);
            while (rows.Count < query.Limit && await reader.ReadAsync(ct))
            {
                rows.Add(query.Map(reader));
            }

            return rows;
        }, cancellationToken);

    /// <summary>
    /// Runs one statement that returns rows in the next commit group (<see cref="PostgresCommitGroups"/>: the hot path's
    /// statements); its rows (the first <paramref name="limit"/> of them), mapped. A statement that changes a client's pending
    /// count gives its <paramref name="order"/>.
    /// </summary>
    public Task<List<T>> QueryGroupedAsync<T>(string sql, NpgsqlParameter[] parameters, Func<NpgsqlDataReader, T> map,
        CancellationToken cancellationToken, int limit = int.MaxValue, PostgresCommitGroups.LockOrder? order = null) =>
        GuardAsync((Groups: _groups, Sql: sql, Parameters: parameters, Map: map, Limit: limit, Order: order),
            static (query, ct) => query.Groups.QueryAsync(query.Sql, query.Parameters, query.Map, query.Limit, query.Order, ct), cancellationToken);

    /// <summary><see cref="QueryGroupedAsync{T}"/>: its first row, mapped, or null.</summary>
    public async Task<T?> QueryFirstGroupedAsync<T>(string sql, NpgsqlParameter[] parameters, Func<NpgsqlDataReader, T> map,
        CancellationToken cancellationToken, PostgresCommitGroups.LockOrder? order = null)
        where T : class
    {
        var rows = await QueryGroupedAsync(sql, parameters, map, cancellationToken, limit: 1, order);
        return rows.Count > 0 ? rows[0] : null;
    }

    /// <summary><see cref="QueryGroupedAsync{T}"/>: the first column of its first row (default when there is none, or it is null).</summary>
    public async Task<T?> ScalarGroupedAsync<T>(string sql, NpgsqlParameter[] parameters, CancellationToken cancellationToken,
        PostgresCommitGroups.LockOrder? order = null)
    {
        var rows = await QueryGroupedAsync(sql, parameters, static reader => reader.IsDBNull(0) ? null : reader.GetValue(0), cancellationToken,
            limit: 1, order);
        return rows.Count > 0 && rows[0] is T value ? value : default;
    }

    /// <summary>
    /// Runs statements in one round trip as one implicit transaction (a batch without error barriers: a failing statement
    /// rolls back those before it and skips those after it); the rows they changed, in all.
    /// </summary>
    public Task<int> ExecuteBatchAsync(IEnumerable<(string Sql, NpgsqlParameter[] Parameters)> statements, CancellationToken cancellationToken)
    {
        var batch = _dataSource.CreateBatch();
        foreach (var (sql, parameters) in statements)
        {
            batch.BatchCommands.Add(BatchCommand(sql, parameters));
        }

        return GuardAsync(batch, static async (batch, ct) =>
        {
            await using (batch)
            {
                return await batch.ExecuteNonQueryAsync(ct);
            }
        }, cancellationToken);
    }

    /// <summary>
    /// Runs <paramref name="work"/> on one connection of the pool: a transaction of several round trips, or a lock that ends
    /// with its transaction (<c>pg_advisory_xact_lock</c>); nothing that outlives it.
    /// </summary>
    public Task<T> RunAsync<T>(Func<NpgsqlConnection, CancellationToken, Task<T>> work, CancellationToken cancellationToken) =>
        GuardAsync((DataSource: _dataSource, Work: work), static async (run, ct) =>
        {
            await using var connection = await run.DataSource.OpenConnectionAsync(ct);
            return await run.Work(connection, ct);
        }, cancellationToken);

    /// <summary>
    /// A connection outside the pool, for a session whose state must end with it (a LISTEN, a session lock held across
    /// calls): disposing it closes the session. Pooled connections are not reset when they are taken again (No Reset On
    /// Close, <see cref="PostgresConnectionSettings"/>), so nothing may leave session state on them.
    /// </summary>
    public Task<NpgsqlConnection> OpenSessionAsync(CancellationToken cancellationToken) =>
        GuardAsync(_sessions, static async (sessions, ct) => await sessions.OpenConnectionAsync(ct), cancellationToken);

    /// <summary>Runs <paramref name="operation"/>, turning a database that cannot be reached into StoreUnavailableException.</summary>
    private async Task<TResult> GuardAsync<TState, TResult>(TState state, Func<TState, CancellationToken, Task<TResult>> operation,
        CancellationToken cancellationToken)
    {
        try
        {
            return await operation(state, cancellationToken);
        }
        catch (Exception ex) when (PostgresFailures.IsUnavailable(ex))
        {
            throw PostgresFailures.Unavailable(Settings, ex);
        }
    }

    /// <summary>A command on <paramref name="connection"/> (inside <see cref="RunAsync{T}"/>).</summary>
    public static NpgsqlCommand Command(NpgsqlConnection connection, string sql, params NpgsqlParameter[] parameters)
    {
        var command = new NpgsqlCommand(sql, connection);
        command.Parameters.AddRange(parameters);
        return command;
    }

    /// <summary>A statement of a batch.</summary>
    public static NpgsqlBatchCommand BatchCommand(string sql, NpgsqlParameter[] parameters)
    {
        var command = new NpgsqlBatchCommand(sql);
        command.Parameters.AddRange(parameters);
        return command;
    }

    private NpgsqlCommand Command(string sql, NpgsqlParameter[] parameters)
    {
        var command = _dataSource.CreateCommand(sql);
        command.Parameters.AddRange(parameters);
        return command;
    }

    public async ValueTask DisposeAsync()
    {
        await _groups.DisposeAsync();
        await _groupSessions.DisposeAsync();
        await _sessions.DisposeAsync();
        await _dataSource.DisposeAsync();
    }

    public void Dispose()
    {
        _groups.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _groupSessions.Dispose();
        _sessions.Dispose();
        _dataSource.Dispose();
    }
}
