using System.Globalization;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Backchannel.Storage.Postgres;

/// <summary>
/// Brings the schema up to date from the versioned SQL files embedded in this assembly (<c>Migrations/NNNN_name.sql</c>),
/// each recorded in <c>schema_migrations</c>. Everything happens in one transaction under the advisory lock
/// <see cref="PostgresAdvisoryLocks.Migrations"/>: nodes starting together wait for the first, then find its work done;
/// a migration that fails leaves the schema as it was.
/// </summary>
internal sealed partial class PostgresMigrator(ILogger<PostgresMigrator> logger, TimeProvider time)
{
    private const string Prefix = "Backchannel.Storage.Postgres.Migrations.";

    /// <summary>The embedded migrations, by version.</summary>
    public static IReadOnlyList<(int Version, string Name)> Migrations { get; } = typeof(PostgresMigrator).Assembly.GetManifestResourceNames()
        .Where(name => name.StartsWith(Prefix, StringComparison.Ordinal) && name.EndsWith(".sql", StringComparison.Ordinal))
        .Select(name => (Version: int.Parse(name.AsSpan(Prefix.Length, 4), CultureInfo.InvariantCulture), Name: name))
        .OrderBy(migration => migration.Version)
        .ToList();

    /// <summary>Applies the migrations <paramref name="connection"/>'s database lacks; the versions applied.</summary>
    public async Task<IReadOnlyList<int>> MigrateAsync(NpgsqlConnection connection, string description, CancellationToken cancellationToken)
    {
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var command = PostgresDatabase.Command(connection,
                         "SELECT pg_advisory_xact_lock($1)", PostgresParameter.Bigint(PostgresAdvisoryLocks.Key(PostgresAdvisoryLocks.Migrations))))
        {
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        // Under the lock: what another node applied meanwhile is committed and seen by the statements from here on.
        await using (var command = PostgresDatabase.Command(connection,
                         "CREATE TABLE IF NOT EXISTS schema_migrations (version integer NOT NULL PRIMARY KEY, applied_at bigint NOT NULL)"))
        {
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        var present = new HashSet<int>();
        await using (var command = PostgresDatabase.Command(connection, "SELECT version FROM schema_migrations"))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                present.Add(reader.GetInt32(0));
            }
        }

        var applied = new List<int>();
        foreach (var (version, name) in Migrations.Where(migration => !present.Contains(migration.Version)))
        {
            await using (var command = PostgresDatabase.Command(connection, await ReadAsync(name, cancellationToken)))
            {
                await command.ExecuteNonQueryAsync(cancellationToken);
            }

            await using (var command = PostgresDatabase.Command(connection, "INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)",
                             PostgresParameter.Integer(version), PostgresParameter.Time(time.GetUtcNow())))
            {
                await command.ExecuteNonQueryAsync(cancellationToken);
            }

            applied.Add(version);
        }

        await transaction.CommitAsync(cancellationToken);
        foreach (var version in applied)
        {
            Log.MigrationApplied(logger, version, description);
        }

        return applied;
    }

    private static async Task<string> ReadAsync(string resource, CancellationToken cancellationToken)
    {
        await using var stream = typeof(PostgresMigrator).Assembly.GetManifestResourceStream(resource)!;
        using var reader = new StreamReader(stream);
        return await reader.ReadToEndAsync(cancellationToken);
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Applied schema migration {Version} to {Store}")]
        public static partial void MigrationApplied(ILogger logger, int version, string store);
    }
}
