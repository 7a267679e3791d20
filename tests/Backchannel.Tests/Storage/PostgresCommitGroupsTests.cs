using Backchannel.Abstractions;
using Backchannel.Storage.Postgres;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using NpgsqlTypes;

namespace Backchannel.Tests.Storage;

/// <summary>
/// Group commit (<see cref="PostgresCommitGroups"/>) on the test server: statements that many callers send at once come
/// back to each caller as if each had run alone: its own rows, its own failure, nothing of a refused statement kept and
/// nothing of the others lost with it; the statements of a group share round trips and commits.
/// </summary>
public sealed class PostgresCommitGroupsTests : IAsyncLifetime
{
    private const string Insert = "INSERT INTO grouped (id, caller) VALUES ($1, $2) RETURNING id, caller";

    private readonly string _database = $"groups_{Guid.NewGuid():N}";
    private PostgresDatabase _store = null!;

    public async Task InitializeAsync()
    {
        PostgresServer.Instance.CreateDatabase(_database);
        _store = new PostgresDatabase(PostgresConnectionSettings.Parse(ConnectionString), NullLoggerFactory.Instance);
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var create = new NpgsqlCommand("CREATE TABLE grouped (id integer PRIMARY KEY, caller text NOT NULL)", connection);
        await create.ExecuteNonQueryAsync();
    }

    public async Task DisposeAsync()
    {
        await _store.DisposeAsync();
        PostgresServer.Instance.DropDatabase(_database);
    }

    private string ConnectionString => PostgresServer.Instance.ConnectionString(_database);

    private Task<List<(int Id, string Caller)>> InsertAsync(int id, string caller) =>
        _store.QueryGroupedAsync(Insert, [Integer(id), Text(caller)], static reader => (reader.GetInt32(0), reader.GetString(1)),
            CancellationToken.None);

    private static NpgsqlParameter Integer(int value) => new() { Value = value, NpgsqlDbType = NpgsqlDbType.Integer };

    private static NpgsqlParameter Text(string value) => new() { Value = value, NpgsqlDbType = NpgsqlDbType.Text };

    private async Task<long> ScalarAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync());
    }

    [Fact]
    public async Task Many_callers_at_once_each_get_their_own_statement_s_rows_and_share_commits()
    {
        var results = await Task.WhenAll(Enumerable.Range(0, 300).Select(i => Task.Run(() => InsertAsync(i, $"caller-{i}"))));

        for (var i = 0; i < results.Length; i++)
        {
            Assert.Equal([(i, $"caller-{i}")], results[i]);
        }

        Assert.Equal(300, await ScalarAsync("SELECT count(*) FROM grouped"));
        // The rows a transaction inserted share its id (xmin): three hundred statements alone would be three hundred.
        Assert.InRange(await ScalarAsync("SELECT count(DISTINCT xmin::text) FROM grouped"), 1, 299);
    }

    [Fact]
    public async Task A_statement_the_database_refuses_fails_alone_and_the_rest_of_its_group_is_kept()
    {
        Assert.Single(await InsertAsync(7, "first"));

        // Id 7 again, among others: it breaks the primary key. Its group's transaction rolls back; every statement of the
        // group runs again alone.
        var attempts = Enumerable.Range(0, 40).Select(i => i == 20 ? (Id: 7, Caller: "again") : (Id: 100 + i, Caller: $"caller-{i}")).ToArray();
        var tasks = attempts.Select(a => Task.Run(() => InsertAsync(a.Id, a.Caller))).ToArray();
        var failure = await Assert.ThrowsAsync<PostgresException>(() => tasks[20]);

        Assert.Equal(PostgresErrorCodes.UniqueViolation, failure.SqlState);
        for (var i = 0; i < tasks.Length; i++)
        {
            if (i != 20)
            {
                Assert.Equal([(100 + i, $"caller-{i}")], await tasks[i]);
            }
        }

        Assert.Equal(40, await ScalarAsync("SELECT count(*) FROM grouped"));
        Assert.Equal(1, await ScalarAsync("SELECT count(*) FROM grouped WHERE id = 7 AND caller = 'first'"));
    }

    [Fact]
    public async Task Later_statements_of_a_group_see_what_earlier_ones_changed()
    {
        Assert.Single(await InsertAsync(1, "a"));

        // Forty conditional updates of one row at once: each sees the row as the one before left it, so exactly one wins,
        // as when each runs alone.
        var updates = await Task.WhenAll(Enumerable.Range(0, 40).Select(i => Task.Run(() => _store.ScalarGroupedAsync<long>(
            PostgresSql.Counted("UPDATE grouped SET caller = $1 WHERE id = 1 AND caller = 'a'"), [Text($"winner-{i}")], CancellationToken.None))));

        Assert.Equal(1, updates.Count(changed => changed == 1));
        Assert.Equal(39, updates.Count(changed => changed == 0));
    }

    /// <summary>Keeps the lane busy for <paramref name="seconds"/>, so that what is sent meanwhile goes in one group after it.</summary>
    private Task<List<int>> OccupyAsync(double seconds) =>
        _store.QueryGroupedAsync($"SELECT 1 FROM pg_sleep({seconds.ToString(System.Globalization.CultureInfo.InvariantCulture)})",
            [], static reader => reader.GetInt32(0), CancellationToken.None);

    [Fact]
    public async Task A_statement_waiting_for_a_lock_held_elsewhere_is_taken_out_of_its_group_and_the_others_commit()
    {
        Assert.Single(await InsertAsync(1, "locked"));
        await using var held = await HeldRow.TakeAsync(ConnectionString);

        var busy = OccupyAsync(0.5);
        var blocked = _store.ScalarGroupedAsync<long>(PostgresSql.Counted("UPDATE grouped SET caller = 'grouped' WHERE id = 1"), [],
            CancellationToken.None);
        var others = Enumerable.Range(0, 20).Select(i => InsertAsync(100 + i, $"caller-{i}")).ToArray();

        // The group waits for row 1 at most its lock timeout; then the others commit without it, while the lock is still held.
        var finished = Task.WhenAll(others);
        Assert.Same(finished, await Task.WhenAny(finished, Task.Delay(PostgresCommitGroups.LockTimeout * 4)));
        Assert.Equal(20, (await finished).Length);
        Assert.False(blocked.IsCompleted);
        await busy;

        await held.ReleaseAsync();
        // Alone, the statement waited for the lock and then ran: the row was 'held', so it changes one row.
        Assert.Equal(1, await blocked);
        Assert.Equal(1, await ScalarAsync("SELECT count(*) FROM grouped WHERE id = 1 AND caller = 'grouped'"));
        Assert.Equal(21, await ScalarAsync("SELECT count(*) FROM grouped"));
    }

    [Fact]
    public async Task A_statement_alone_waits_for_a_lock_longer_than_the_groups_lock_timeout()
    {
        Assert.Single(await InsertAsync(1, "locked"));
        await using var held = await HeldRow.TakeAsync(ConnectionString);

        var blocked = _store.ScalarGroupedAsync<long>(PostgresSql.Counted("UPDATE grouped SET caller = 'alone' WHERE id = 1"), [],
            CancellationToken.None);
        // Wait (polling) until the statement, run alone after its group's lock timeout, has waited for the lock longer than it.
        var waited = $"SELECT count(*) FROM pg_stat_activity WHERE datname = '{_database}' AND wait_event_type = 'Lock' " +
                     $"AND query LIKE '%''alone''%' AND now() - query_start > interval '{PostgresCommitGroups.LockTimeout.TotalSeconds + 0.5} seconds'";
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (await ScalarAsync(waited) == 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "the statement was not seen waiting for the lock past the lock timeout");
            Assert.False(blocked.IsCompleted, "the statement ended while the lock was held");
            await Task.Delay(100);
        }

        Assert.False(blocked.IsCompleted);

        await held.ReleaseAsync();
        Assert.Equal(1, await blocked);
        Assert.Equal(1, await ScalarAsync("SELECT count(*) FROM grouped WHERE caller = 'alone'"));
    }

    [Fact]
    public async Task A_caller_that_gives_up_before_its_statement_is_sent_has_it_dropped()
    {
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _store.QueryGroupedAsync(Insert, [Integer(1), Text("early")],
            static reader => reader.GetInt32(0), cancelled.Token));

        using var later = new CancellationTokenSource();
        var busy = OccupyAsync(0.5);
        var queued = _store.QueryGroupedAsync(Insert, [Integer(2), Text("queued")], static reader => reader.GetInt32(0), later.Token);
        await later.CancelAsync(); // while it waits behind the busy group
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => queued);
        await busy;

        Assert.Equal(0, await ScalarAsync("SELECT count(*) FROM grouped"));
    }

    [Fact]
    public async Task A_row_its_caller_cannot_read_fails_that_caller_only()
    {
        var busy = OccupyAsync(0.3);
        var unreadable = _store.QueryGroupedAsync(Insert, [Integer(1), Text("unreadable")],
            static reader => reader.GetString(0), CancellationToken.None); // the id is an integer
        var others = Enumerable.Range(0, 10).Select(i => InsertAsync(100 + i, $"caller-{i}")).ToArray();
        await busy;

        await Assert.ThrowsAsync<InvalidCastException>(() => unreadable);
        Assert.Equal(10, (await Task.WhenAll(others)).Length);
        // Its statement committed with the group: its row is there; only reading it failed.
        Assert.Equal(11, await ScalarAsync("SELECT count(*) FROM grouped"));
    }

    [Fact]
    public async Task A_database_that_cannot_be_reached_fails_every_statement_with_StoreUnavailableException()
    {
        var settings = PostgresConnectionSettings.Parse($"Host=127.0.0.1;Port={FreePort()};Database=none;Username=postgres;Timeout=2");
        await using var unreachable = new PostgresDatabase(settings, NullLoggerFactory.Instance);

        var tasks = Enumerable.Range(0, 5).Select(i => unreachable.QueryGroupedAsync("SELECT $1", [Integer(i)], static r => r.GetInt32(0),
            CancellationToken.None)).ToArray();

        foreach (var task in tasks)
        {
            await Assert.ThrowsAsync<StoreUnavailableException>(() => task);
        }
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Row 1 changed by another session, in a transaction that holds its lock until <see cref="ReleaseAsync"/>.</summary>
    private sealed class HeldRow : IAsyncDisposable
    {
        private readonly NpgsqlConnection _connection;
        private readonly NpgsqlTransaction _transaction;

        private HeldRow(NpgsqlConnection connection, NpgsqlTransaction transaction) => (_connection, _transaction) = (connection, transaction);

        public static async Task<HeldRow> TakeAsync(string connectionString)
        {
            var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync();
            var transaction = await connection.BeginTransactionAsync();
            await using (var hold = new NpgsqlCommand("UPDATE grouped SET caller = 'held' WHERE id = 1", connection, transaction))
            {
                await hold.ExecuteNonQueryAsync();
            }

            return new HeldRow(connection, transaction);
        }

        public Task ReleaseAsync() => _transaction.CommitAsync();

        public async ValueTask DisposeAsync()
        {
            await _transaction.DisposeAsync();
            await _connection.DisposeAsync();
        }
    }
}
