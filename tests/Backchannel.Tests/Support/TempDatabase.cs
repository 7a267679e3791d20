using Backchannel.Protocol;
using Backchannel.Storage;
using Backchannel.Storage.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;

namespace Backchannel.Tests;

/// <summary>A SQLite store in its own temporary file, deleted afterwards.</summary>
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
        foreach (var suffix in new[] { "", "-wal", "-shm", "-journal" })
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

    public static AuthenticationRequest Request(DateTimeOffset now, AuthenticationRequestStatus status = AuthenticationRequestStatus.Pending,
        string? authReqId = null, TimeSpan? lifetime = null) => new()
    {
        Id = RandomIdentifiers.NewSortableId(DateTimeOffset.UtcNow),
        AuthReqIdHash = SecretHash.Compute(authReqId ?? RandomIdentifiers.NewAuthReqId()),
        ClientId = "client-a",
        Subject = "alice",
        Scope = "openid email",
        DeliveryMode = DeliveryModes.Poll,
        Channel = "log",
        Status = status,
        CreatedAt = now,
        ExpiresAt = now + (lifetime ?? TimeSpan.FromMinutes(2)),
        IntervalSeconds = 5,
    };

    public static OutboxMessage DeviceNotification(AuthenticationRequest request, DateTimeOffset now) => new()
    {
        RequestId = request.Id,
        Kind = OutboxKind.DeviceNotification,
        NextAttemptAt = now,
        ExpiresAt = request.ExpiresAt,
        CreatedAt = now,
    };
}
