using System.Collections.Concurrent;
using Backchannel.Abstractions;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace Backchannel.Storage.Sqlite;

/// <summary>
/// The embedded SQLite store: one writer connection that commits queued operations in batches (group commit: one
/// transaction and one WAL append for many requests, durable across a crash of the process once acknowledged), and a
/// pool of reader connections that read the last committed state concurrently (WAL mode). One process at a time: the
/// database holds an exclusive lock on <c>{file}.lock</c> while open, and a second process is refused.
/// </summary>
internal sealed partial class SqliteDatabase : IDisposable
{
    /// <summary>The setting a failure to open names.</summary>
    private const string Setting = "Backchannel:Storage:ConnectionString";

    private const int MaxBatchSize = 512;

    /// <summary>The WAL's size, in pages (4 KiB), at which the writer checkpoints it: the WAL file grows to about 32 MiB.</summary>
    internal const int WalCheckpointPages = 8_000;

    private readonly string _connectionString;
    private readonly ILogger<SqliteDatabase> _logger;
    private readonly WriteQueue<WriteOperation> _queue = new(MaxBatchSize);
    private readonly ConcurrentBag<SqliteSession> _readers = [];
    private readonly Lock _openLock = new();
    private SqliteSession? _writer;
    private FileStream? _processLock;
    private Thread? _writerThread;
    private bool _disposed;

    public SqliteDatabase(string connectionString, ILogger<SqliteDatabase> logger)
    {
        var builder = new SqliteConnectionStringBuilder(connectionString)
        {
            Pooling = false,
            Mode = SqliteOpenMode.ReadWriteCreate,
        };
        _connectionString = builder.ToString();
        DataSource = builder.DataSource;
        _logger = logger;
    }

    public string DataSource { get; }

    /// <summary>Opens the writer, applies pending migrations and starts the write loop. Idempotent.</summary>
    public void Open()
    {
        lock (_openLock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_writer is not null)
            {
                return;
            }

            _processLock = LockFile();
            SqliteSession writer;
            try
            {
                writer = OpenSession(writer: true);
                Migrate(writer);
            }
            catch (SqliteException ex)
            {
                _processLock.Dispose();
                _processLock = null;
                throw new StoreUnavailableException(
                    $"The SQLite database {DataSource} cannot be opened or written ({ex.Message.TrimEnd('.')}); check the path and its permissions ({Setting}).", ex);
            }

            _writer = writer;
            _writerThread = new Thread(WriteLoop) { IsBackground = true, Name = "Backchannel SQLite writer" };
            _writerThread.Start();
        }
    }

    /// <summary>
    /// Creates the database's directory and takes the exclusive lock that keeps a second process off the file (the
    /// operating system releases it when the process ends, even by SIGKILL).
    /// </summary>
    private FileStream LockFile()
    {
        if (DataSource == ":memory:")
        {
            throw new StoreUnavailableException($"An in-memory SQLite database loses every accepted request at exit; {Setting} must name a file.");
        }

        var path = Path.GetFullPath(DataSource);
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            var options = new FileStreamOptions { Mode = FileMode.OpenOrCreate, Access = FileAccess.ReadWrite, Share = FileShare.None };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = OwnerOnly;
            }

            var processLock = new FileStream(path + ".lock", options);
            RestrictToOwner(path);
            return processLock;
        }
        catch (UnauthorizedAccessException ex)
        {
            throw new StoreUnavailableException($"The SQLite database {path} cannot be created: permission denied ({Setting}).", ex);
        }
        catch (IOException ex) when (File.Exists(path + ".lock"))
        {
            throw new StoreUnavailableException(
                $"The SQLite database {path} is in use by another Backchannel process; one process serves one SQLite file. " +
                $"Stop the other process, or give this one another {Setting}.", ex);
        }
        catch (IOException ex)
        {
            throw new StoreUnavailableException($"The SQLite database {path} cannot be created: {ex.Message} ({Setting}).", ex);
        }
    }

    /// <summary>Read and write for the owner only: the store holds hashed secrets and protected keys, nothing for other users.</summary>
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>
    /// Creates the database file 0600 before SQLite opens it (SQLite gives its -wal and -shm files the database file's
    /// permissions), and narrows an existing file created wider by an earlier version.
    /// </summary>
    private static void RestrictToOwner(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        if (!File.Exists(path))
        {
            using var created = new FileStream(path, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = OwnerOnly });
        }

        foreach (var file in new[] { path, path + "-wal", path + "-shm", path + "-journal" })
        {
            if (File.Exists(file) && (File.GetUnixFileMode(file) & ~OwnerOnly) != 0)
            {
                File.SetUnixFileMode(file, OwnerOnly);
            }
        }
    }

    /// <summary>Runs <paramref name="operation"/> in the next write batch; completes once its transaction committed.</summary>
    public Task<T> WriteAsync<T>(Func<SqliteSession, T> operation)
    {
        var write = new WriteOperation<T>(operation);
        return _queue.TryAdd(write)
            ? write.Task
            : throw new ObjectDisposedException(nameof(SqliteDatabase), "The store is shutting down.");
    }

    /// <summary>Runs a read on a pooled reader connection, on the calling thread.</summary>
    public T Read<T>(Func<SqliteSession, T> operation)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (!_readers.TryTake(out var session))
        {
            session = OpenSession(writer: false);
        }

        try
        {
            return operation(session);
        }
        finally
        {
            _readers.Add(session);
        }
    }

    private SqliteSession OpenSession(bool writer)
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        using (var pragma = connection.CreateCommand())
        {
            // WAL: readers never block the writer; synchronous=NORMAL: a committed transaction survives a crash of
            // the process (it is in the WAL file), only a power loss may take the last commits. The writer copies the
            // WAL into the database (a checkpoint, with an fsync) every WalCheckpointPages pages written instead of
            // SQLite's 1,000: the pages every flow changes (the right edge of each index, the outbox) are then copied
            // once per checkpoint, not once per 1,000 pages, which took 8% of a flow's CPU and doubled the endpoints' p99
            // latency; a larger checkpoint holds the commits meanwhile longer (about 90 ms at full load, once a second).
            pragma.CommandText = writer
                ? "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000; PRAGMA foreign_keys=ON; PRAGMA temp_store=MEMORY; " +
                  $"PRAGMA wal_autocheckpoint={WalCheckpointPages};"
                : "PRAGMA busy_timeout=5000; PRAGMA query_only=ON;";
            pragma.ExecuteNonQuery();
        }

        return new SqliteSession(connection);
    }

    private void WriteLoop()
    {
        var batch = new List<WriteOperation>(MaxBatchSize);
        try
        {
            while (_queue.TryTakeBatch(batch))
            {
                ExecuteBatch(batch);
                batch.Clear();
            }
        }
        catch (Exception ex)
        {
            Log.WriterStopped(_logger, ex);
            foreach (var operation in batch)
            {
                operation.Fail(ex);
            }
        }
    }

    private void ExecuteBatch(List<WriteOperation> batch)
    {
        var writer = _writer!;
        try
        {
            writer.Begin();
            foreach (var operation in batch)
            {
                operation.Execute(writer);
            }

            writer.Commit();
        }
        catch (Exception ex) when (batch.Count > 1)
        {
            // One operation failed: roll the batch back and run each alone, so that only the faulty one fails.
            SafeRollback(writer);
            Log.BatchRetriedAlone(_logger, batch.Count, ex);
            foreach (var operation in batch)
            {
                ExecuteAlone(writer, operation);
            }

            return;
        }
        catch (Exception ex)
        {
            SafeRollback(writer);
            batch[0].Fail(ex);
            return;
        }

        foreach (var operation in batch)
        {
            operation.Complete();
        }
    }

    private static void ExecuteAlone(SqliteSession writer, WriteOperation operation)
    {
        try
        {
            writer.Begin();
            operation.Execute(writer);
            writer.Commit();
            operation.Complete();
        }
        catch (Exception ex)
        {
            SafeRollback(writer);
            operation.Fail(ex);
        }
    }

    private static void SafeRollback(SqliteSession session)
    {
        try
        {
            session.Rollback();
        }
        catch (SqliteException)
        {
            // The transaction may already be gone (SQLite rolls back by itself on some errors).
        }
    }

    private void Migrate(SqliteSession session)
    {
        session.Execute("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER NOT NULL PRIMARY KEY, applied_at INTEGER NOT NULL)");
        var applied = new HashSet<int>();
        using (var reader = session.Query("SELECT version FROM schema_migrations"))
        {
            while (reader.Read())
            {
                applied.Add(reader.GetInt32(0));
            }
        }

        var assembly = typeof(SqliteDatabase).Assembly;
        const string prefix = "Backchannel.Storage.Sqlite.Migrations.";
        var migrations = assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith(prefix, StringComparison.Ordinal) && n.EndsWith(".sql", StringComparison.Ordinal))
            .Select(n => (Name: n, Version: int.Parse(n.AsSpan(prefix.Length, 4), provider: System.Globalization.CultureInfo.InvariantCulture)))
            .OrderBy(m => m.Version);

        foreach (var (name, version) in migrations)
        {
            if (applied.Contains(version))
            {
                continue;
            }

            using var stream = assembly.GetManifestResourceStream(name)!;
            using var text = new StreamReader(stream);
            session.Begin();
            try
            {
                using (var command = session.Connection.CreateCommand())
                {
                    command.CommandText = text.ReadToEnd();
                    command.ExecuteNonQuery();
                }

                session.Execute("INSERT INTO schema_migrations (version, applied_at) VALUES ($v, $t)",
                    ("$v", version), ("$t", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()));
                session.Commit();
                Log.MigrationApplied(_logger, version, DataSource);
            }
            catch
            {
                SafeRollback(session);
                throw;
            }
        }
    }

    public void Dispose()
    {
        lock (_openLock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
        }

        _queue.Complete();
        _writerThread?.Join(TimeSpan.FromSeconds(10));
        _writer?.Dispose();
        while (_readers.TryTake(out var reader))
        {
            reader.Dispose();
        }

        _processLock?.Dispose();
    }

    private abstract class WriteOperation
    {
        public abstract void Execute(SqliteSession session);

        public abstract void Complete();

        public abstract void Fail(Exception exception);
    }

    private sealed class WriteOperation<T>(Func<SqliteSession, T> operation) : WriteOperation
    {
        private readonly TaskCompletionSource<T> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private T? _result;

        public Task<T> Task => _completion.Task;

        public override void Execute(SqliteSession session) => _result = operation(session);

        public override void Complete() => _completion.TrySetResult(_result!);

        public override void Fail(Exception exception) => _completion.TrySetException(exception);
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Applied schema migration {Version} to {DataSource}")]
        public static partial void MigrationApplied(ILogger logger, int version, string dataSource);

        [LoggerMessage(2, LogLevel.Warning, "A write batch of {Count} operations failed; running each alone")]
        public static partial void BatchRetriedAlone(ILogger logger, int count, Exception exception);

        [LoggerMessage(3, LogLevel.Critical, "The SQLite writer stopped")]
        public static partial void WriterStopped(ILogger logger, Exception exception);
    }
}
