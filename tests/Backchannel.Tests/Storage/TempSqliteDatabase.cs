using Backchannel.Storage.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;

namespace Backchannel.Tests;

/// <summary>A SQLite database in its own temporary file, for the tests of the engine itself (not of the store contracts).</summary>
internal sealed class TempDatabase : IDisposable
{
    public TempDatabase()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"backchannel-unit-{Guid.NewGuid():N}.db");
        Database = Open(Path);
    }

    public string Path { get; }

    public SqliteDatabase Database { get; private set; }

    public static SqliteDatabase Open(string path)
    {
        var database = new SqliteDatabase($"Data Source={path}", NullLogger<SqliteDatabase>.Instance);
        database.Open();
        return database;
    }

    /// <summary>Closes the database and opens the same file again.</summary>
    public SqliteDatabase Reopen()
    {
        Database.Dispose();
        Database = Open(Path);
        return Database;
    }

    public long Count(string table) => Database.Read(session => (long)session.Scalar($"SELECT COUNT(*) FROM {table}")!);

    public void Dispose()
    {
        Database.Dispose();
        foreach (var suffix in new[] { "", "-wal", "-shm", "-journal", ".lock" })
        {
            try
            {
                File.Delete(Path + suffix);
            }
            catch (IOException)
            {
                // Best effort: a temp file left behind is harmless.
            }
        }
    }
}
