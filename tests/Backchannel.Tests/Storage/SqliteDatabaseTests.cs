using Backchannel.Abstractions;
using Backchannel.Storage.Sqlite;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;

namespace Backchannel.Tests.Storage;

/// <summary>The SQLite engine itself (group commit, migrations, the one-process lock): what the store contracts cannot see.</summary>
public sealed class SqliteDatabaseTests : IDisposable
{
    private readonly TempDatabase _temp = new();

    public void Dispose() => _temp.Dispose();

    private static Func<SqliteSession, int> InsertJti(string key) => session =>
        session.Execute("INSERT INTO used_jtis (jti_key, expires_at) VALUES ($k, 0)", ("$k", key));

    private bool HasJti(string key) =>
        _temp.Database.Read(session => session.Scalar("SELECT 1 FROM used_jtis WHERE jti_key = $k", ("$k", key))) is not null;

    /// <summary>Holds the writer (a write leading on another thread) until released, so that the writes queued meanwhile form one batch.</summary>
    private async Task<(Task Blocker, ManualResetEventSlim Gate)> BlockWriterAsync()
    {
        var gate = new ManualResetEventSlim();
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var blocker = Task.Run(() => _temp.Database.WriteAsync(_ =>
        {
            started.SetResult();
            gate.Wait(TimeSpan.FromSeconds(10));
            return 0;
        }));
        await started.Task.WaitAsync(TimeSpan.FromSeconds(10));
        return (blocker, gate);
    }

    [Fact]
    public async Task The_writer_uses_wal_and_checkpoints_every_8000_pages()
    {
        var (journal, checkpointPages) = await _temp.Database.WriteAsync(session =>
            ((string)session.Scalar("PRAGMA journal_mode")!, (long)session.Scalar("PRAGMA wal_autocheckpoint")!));

        Assert.Equal("wal", journal);
        Assert.Equal(SqliteDatabase.WalCheckpointPages, checkpointPages);
        Assert.Equal(8_000, checkpointPages);
    }

    [Fact]
    public async Task Write_result_is_returned_after_commit_and_visible_to_readers()
    {
        var changed = await _temp.Database.WriteAsync(InsertJti("a"));

        Assert.Equal(1, changed);
        Assert.True(HasJti("a"));
    }

    [Fact]
    public async Task Throwing_write_inside_a_batch_fails_only_itself()
    {
        var (blocker, gate) = await BlockWriterAsync();
        var writes = Enumerable.Range(0, 6).Select(i => _temp.Database.WriteAsync(session =>
        {
            InsertJti($"key-{i}")(session);
            if (i == 2)
            {
                throw new InvalidOperationException("boom");
            }

            return i;
        })).ToList();
        gate.Set();
        await blocker;

        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => writes[2]);
        Assert.Equal("boom", failure.Message);
        foreach (var i in new[] { 0, 1, 3, 4, 5 })
        {
            Assert.Equal(i, await writes[i]);
            Assert.True(HasJti($"key-{i}"), $"key-{i} should have been committed");
        }

        Assert.False(HasJti("key-2"), "the failed write's own changes must be rolled back");
        Assert.Equal(5, _temp.Count("used_jtis"));
        gate.Dispose();
    }

    [Fact]
    public async Task Constraint_violation_inside_a_batch_fails_only_that_write()
    {
        await _temp.Database.WriteAsync(InsertJti("taken"));
        var (blocker, gate) = await BlockWriterAsync();
        var first = _temp.Database.WriteAsync(InsertJti("x1"));
        var duplicate = _temp.Database.WriteAsync(InsertJti("taken"));
        var last = _temp.Database.WriteAsync(InsertJti("x2"));
        gate.Set();
        await blocker;

        await Assert.ThrowsAsync<SqliteException>(() => duplicate);
        Assert.Equal(1, await first);
        Assert.Equal(1, await last);
        Assert.Equal(3, _temp.Count("used_jtis"));
        gate.Dispose();
    }

    [Fact]
    public async Task Single_throwing_write_fails_and_the_writer_keeps_working()
    {
        await Assert.ThrowsAsync<InvalidOperationException>(() =>
            _temp.Database.WriteAsync<int>(session =>
            {
                InsertJti("rolled-back")(session);
                throw new InvalidOperationException("boom");
            }));

        Assert.False(HasJti("rolled-back"));
        Assert.Equal(1, await _temp.Database.WriteAsync(InsertJti("after")));
    }

    [Fact]
    public async Task Many_concurrent_writes_all_commit()
    {
        var writes = Enumerable.Range(0, 500).Select(i => Task.Run(() => _temp.Database.WriteAsync(InsertJti($"k{i}")))).ToList();

        await Task.WhenAll(writes);

        Assert.Equal(500, _temp.Count("used_jtis"));
    }

    [Fact]
    public async Task Data_survives_disposing_and_reopening_the_file()
    {
        await _temp.Database.WriteAsync(InsertJti("persisted"));

        _temp.Reopen();

        Assert.True(HasJti("persisted"));
    }

    private static int EmbeddedMigrationCount() =>
        typeof(SqliteDatabase).Assembly.GetManifestResourceNames()
            .Count(n => n.StartsWith("Backchannel.Storage.Sqlite.Migrations.", StringComparison.Ordinal) && n.EndsWith(".sql", StringComparison.Ordinal));

    /// <summary>Every table with its columns (name, type, not null, default), and every index: the shape of the schema.</summary>
    private static List<string> Schema(SqliteDatabase database) => database.Read(session =>
    {
        var tables = new List<string>();
        using (var reader = session.Query("SELECT name FROM sqlite_master WHERE type = 'table' AND name <> 'schema_migrations' ORDER BY name"))
        {
            while (reader.Read())
            {
                tables.Add(reader.GetString(0));
            }
        }

        var shape = new List<string>();
        foreach (var table in tables)
        {
            using var reader = session.Query($"SELECT name, type, \"notnull\", dflt_value, pk FROM pragma_table_info('{table}') ORDER BY name");
            while (reader.Read())
            {
                shape.Add($"{table}.{reader.GetString(0)} {reader.GetString(1)} notnull={reader.GetInt64(2)} default={(reader.IsDBNull(3) ? "-" : reader.GetString(3))} pk={reader.GetInt64(4)}");
            }
        }

        using (var reader = session.Query("SELECT name, tbl_name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL ORDER BY name"))
        {
            while (reader.Read())
            {
                shape.Add($"index {reader.GetString(0)} on {reader.GetString(1)}");
            }
        }

        return shape;
    });

    [Fact]
    public async Task Migrations_are_applied_once_and_are_idempotent_on_reopen()
    {
        await _temp.Database.WriteAsync(InsertJti("before"));
        var schema = Schema(_temp.Database);
        _temp.Database.Open();

        _temp.Reopen();
        _temp.Reopen();

        Assert.Equal(EmbeddedMigrationCount(), _temp.Count("schema_migrations"));
        Assert.True(HasJti("before"));
        Assert.Equal(schema, Schema(_temp.Database));
        foreach (var table in new[] { "auth_requests", "outbox", "refresh_tokens", "used_jtis", "users", "clients", "provider_keys", "revoked_access_tokens" })
        {
            Assert.Contains(schema, line => line.StartsWith(table + ".", StringComparison.Ordinal));
        }
    }

    [Fact]
    public void Readers_cannot_write()
    {
        Assert.Throws<SqliteException>(() => _temp.Database.Read(InsertJti("from-a-reader")));
    }

    [Fact]
    public async Task Writes_after_dispose_are_refused()
    {
        var database = TempDatabase.Open(_temp.Path + ".second");
        try
        {
            database.Dispose();

            await Assert.ThrowsAsync<ObjectDisposedException>(() => database.WriteAsync(InsertJti("late")));
            Assert.Throws<ObjectDisposedException>(() => database.Read(InsertJti("late")));
        }
        finally
        {
            foreach (var suffix in new[] { "", "-wal", "-shm", ".lock" })
            {
                File.Delete(_temp.Path + ".second" + suffix);
            }
        }
    }

    [Fact]
    public void Open_creates_the_directory_of_the_file()
    {
        var directory = Path.Combine(Path.GetTempPath(), $"backchannel-unit-dir-{Guid.NewGuid():N}", "nested");
        try
        {
            using var database = TempDatabase.Open(Path.Combine(directory, "store.db"));

            Assert.True(File.Exists(Path.Combine(directory, "store.db")));
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(directory)!, recursive: true);
        }
    }

    [Fact]
    public async Task Second_database_on_the_same_file_is_refused_while_the_first_is_open()
    {
        using var second = new SqliteDatabase($"Data Source={_temp.Path}", NullLogger<SqliteDatabase>.Instance);

        var refused = Assert.Throws<StoreUnavailableException>(second.Open);

        Assert.Contains(Path.GetFullPath(_temp.Path), refused.Message, StringComparison.Ordinal);
        Assert.Contains("in use by another Backchannel process", refused.Message, StringComparison.Ordinal);
        Assert.Contains("Backchannel:Storage:ConnectionString", refused.Message, StringComparison.Ordinal);

        // The first still works: the refused open took nothing from it.
        Assert.Equal(1, await _temp.Database.WriteAsync(InsertJti("first-still-writes")));

        _temp.Database.Dispose();
        second.Open();

        Assert.True(second.Read(session => session.Scalar("SELECT 1 FROM used_jtis WHERE jti_key = 'first-still-writes'")) is not null);
        Assert.Equal(1, await second.WriteAsync(InsertJti("second-writes")));
    }

    [Fact]
    public async Task Polls_cost_no_write_until_a_slow_down()
    {
        // The embedded store keeps poll times in memory: 10,000 clients polling every 5 s must not be 2,000 writes a second.
        var store = new SqliteAuthenticationRequestStore(_temp.Database);
        var now = new DateTimeOffset(2030, 1, 2, 3, 4, 5, TimeSpan.Zero);
        var request = StoreData.Request(now);
        await store.CreateAsync(request, [StoreData.DeviceNotification(request, now)], 0, CancellationToken.None);
        var walLength = new FileInfo(_temp.Path + "-wal").Length;

        for (var i = 0; i < 5; i++)
        {
            Assert.False((await store.RecordPollAsync(request, now.AddSeconds(5 * i), CancellationToken.None)).SlowDown);
        }

        Assert.Equal(walLength, new FileInfo(_temp.Path + "-wal").Length);
        Assert.True((await store.RecordPollAsync(request, now.AddSeconds(21), CancellationToken.None)).SlowDown);
        Assert.True(new FileInfo(_temp.Path + "-wal").Length > walLength, "a slow_down writes the grown interval");
    }
}
