using System.Data.Common;
using Backchannel.Abstractions;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Backchannel.Storage.Postgres;

/// <summary>
/// The Npgsql connection string of <c>Backchannel:Storage:ConnectionString</c>, checked before anything connects, with
/// the store's defaults for what it leaves unset, and the words an operator needs (host, port, database, user; never the
/// password) for the descriptions and the messages of failures.
/// </summary>
internal sealed class PostgresConnectionSettings
{
    /// <summary>The setting messages name.</summary>
    public const string Setting = "Backchannel:Storage:ConnectionString";

    /// <summary>
    /// Statements each connection keeps prepared when the connection string does not say (Npgsql's default, 0, prepares
    /// none): the stores use a few dozen statements, each then parsed and planned once per connection instead of per call.
    /// </summary>
    private const int DefaultMaxAutoPrepare = 128;

    private PostgresConnectionSettings(NpgsqlConnectionStringBuilder builder)
    {
        Host = builder.Host!;
        Port = builder.Port;
        Username = builder.Username;
        Database = builder.Database ?? builder.Username ?? "postgres";
        ConnectionString = builder.ConnectionString;
    }

    public string Host { get; }

    public int Port { get; }

    public string Database { get; }

    public string? Username { get; }

    /// <summary>The connection string with the store's defaults; it may hold a password: never log it.</summary>
    public string ConnectionString { get; }

    /// <summary>For logs and the banner: engine and place, no credentials.</summary>
    public string Description => $"PostgreSQL {Host}:{Port}/{Database}";

    /// <summary>Checks <paramref name="connectionString"/>; throws <see cref="StoreUnavailableException"/> saying what to fix.</summary>
    public static PostgresConnectionSettings Parse(string? connectionString)
    {
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            throw new StoreUnavailableException(
                $"Backchannel:Storage:Provider is Postgres, but {Setting} is empty; give it an Npgsql connection string, " +
                "such as Host=db.example.com;Database=backchannel;Username=backchannel;Password=...");
        }

        NpgsqlConnectionStringBuilder builder;
        try
        {
            if (Names(connectionString, "Data Source", "DataSource", "Filename"))
            {
                // The embedded store's setting left in place (the host's appsettings.json has one).
                throw new StoreUnavailableException(
                    $"{Setting} is a SQLite connection string (Data Source=...), but Backchannel:Storage:Provider is Postgres; give it an " +
                    "Npgsql connection string, such as Host=db.example.com;Database=backchannel;Username=backchannel;Password=...");
            }

            builder = new NpgsqlConnectionStringBuilder(connectionString);
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException)
        {
            throw new StoreUnavailableException($"{Setting} is not a valid Npgsql connection string: {ex.Message}", ex);
        }

        if (string.IsNullOrWhiteSpace(builder.Host))
        {
            throw new StoreUnavailableException($"{Setting} names no Host: add Host=... (the PostgreSQL server's name or address).");
        }

        if (!Names(connectionString, "Max Auto Prepare", "MaxAutoPrepare"))
        {
            builder.MaxAutoPrepare = DefaultMaxAutoPrepare;
        }

        if (!Names(connectionString, "No Reset On Close", "NoResetOnClose"))
        {
            // Npgsql resets a pooled connection taken again (with prepared statements, seven statements: RESET ALL,
            // pg_advisory_unlock_all(), UNLISTEN *, ...), each time, which cost PostgreSQL more than the store's own
            // statements. The stores leave no session state behind on a pooled connection: they set nothing, transactions
            // end before their connection goes back (Npgsql rolls back one left open), and what lives in a session (a store
            // lock, the LISTEN of the change feed) has a connection of its own, outside the pool, closed when it is
            // disposed (PostgresDatabase.OpenSessionAsync).
            builder.NoResetOnClose = true;
        }

        if (string.IsNullOrEmpty(builder.ApplicationName))
        {
            // What pg_stat_activity shows an operator looking for the provider's sessions.
            builder.ApplicationName = "Backchannel";
        }

        return new PostgresConnectionSettings(builder);
    }

    /// <summary>Whether the connection string sets one of <paramref name="keywords"/> itself (to any value, 0 too).</summary>
    private static bool Names(string connectionString, params string[] keywords)
    {
        var given = new DbConnectionStringBuilder { ConnectionString = connectionString };
        return keywords.Any(given.ContainsKey);
    }

    /// <summary>
    /// The pool every store of this process shares (or, <paramref name="pooled"/> false, connections that are closed for
    /// good when they are disposed), logging through the host's loggers (statements at Debug).
    /// With <paramref name="lockTimeout"/>, its sessions wait at most that long for a lock (<c>lock_timeout</c>, set as they
    /// start: the commit groups' own pool).
    /// </summary>
    public NpgsqlDataSource BuildDataSource(ILoggerFactory loggerFactory, bool pooled = true, TimeSpan? lockTimeout = null)
    {
        var builder = new NpgsqlConnectionStringBuilder(ConnectionString);
        if (!pooled)
        {
            builder.Pooling = false;
            builder.Multiplexing = false;
        }

        if (lockTimeout is { } timeout)
        {
            builder.Options = ((builder.Options ?? "") + $" -c lock_timeout={(long)timeout.TotalMilliseconds}").Trim();
        }

        return new NpgsqlDataSourceBuilder(builder.ConnectionString).UseLoggerFactory(new PostgresLoggerFactory(loggerFactory)).Build();
    }
}
