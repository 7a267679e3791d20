using Microsoft.Data.Sqlite;

namespace Backchannel.Storage.Sqlite;

/// <summary>One SQLite connection with its prepared commands; used by one thread at a time.</summary>
internal sealed class SqliteSession : IDisposable
{
    private readonly Dictionary<string, SqliteCommand> _commands = new(StringComparer.Ordinal);

    public SqliteSession(SqliteConnection connection) => Connection = connection;

    public SqliteConnection Connection { get; }

    /// <summary>The prepared command for <paramref name="sql"/>, with the parameters of its last use.</summary>
    private SqliteCommand Command(string sql)
    {
        if (!_commands.TryGetValue(sql, out var command))
        {
            command = Connection.CreateCommand();
            command.CommandText = sql;
            _commands.Add(sql, command);
        }

        return command;
    }

    public int Execute(string sql, params ReadOnlySpan<(string Name, object? Value)> parameters)
    {
        var command = Command(sql);
        Bind(command, parameters);
        return command.ExecuteNonQuery();
    }

    public object? Scalar(string sql, params ReadOnlySpan<(string Name, object? Value)> parameters)
    {
        var command = Command(sql);
        Bind(command, parameters);
        return command.ExecuteScalar();
    }

    public SqliteDataReader Query(string sql, params ReadOnlySpan<(string Name, object? Value)> parameters)
    {
        var command = Command(sql);
        Bind(command, parameters);
        return command.ExecuteReader();
    }

    /// <summary>
    /// Starts the write transaction (BEGIN IMMEDIATE: the write lock now, not at the first write). Begin, commit and
    /// rollback run as this session's prepared statements: <see cref="SqliteTransaction"/> prepares its statement anew
    /// each time, once or twice per write batch.
    /// </summary>
    public void Begin() => Execute("BEGIN IMMEDIATE");

    public void Commit() => Execute("COMMIT");

    public void Rollback() => Execute("ROLLBACK");

    /// <summary>
    /// The values of <paramref name="parameters"/> on <paramref name="command"/>: in the parameters of its last use when
    /// they have the same names in the same order (a statement is always called with the same ones), so that a write
    /// allocates no parameter objects; otherwise in new ones.
    /// </summary>
    private static void Bind(SqliteCommand command, ReadOnlySpan<(string Name, object? Value)> parameters)
    {
        var bound = command.Parameters;
        if (bound.Count == parameters.Length)
        {
            var same = true;
            for (var i = 0; same && i < parameters.Length; i++)
            {
                same = string.Equals(bound[i].ParameterName, parameters[i].Name, StringComparison.Ordinal);
            }

            if (same)
            {
                for (var i = 0; i < parameters.Length; i++)
                {
                    bound[i].Value = parameters[i].Value ?? DBNull.Value;
                }

                return;
            }
        }

        bound.Clear();
        foreach (var (name, value) in parameters)
        {
            bound.AddWithValue(name, value ?? DBNull.Value);
        }
    }

    public void Dispose()
    {
        foreach (var command in _commands.Values)
        {
            command.Dispose();
        }

        Connection.Dispose();
    }
}
