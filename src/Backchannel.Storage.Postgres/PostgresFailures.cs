using System.Net.Sockets;
using Backchannel.Abstractions;
using Npgsql;

namespace Backchannel.Storage.Postgres;

/// <summary>
/// Which failures mean that the database cannot be reached (the endpoints then answer 503 with Retry-After and the node
/// keeps running), and the messages that tell an operator what to do about them. Everything else (a constraint that
/// refuses a duplicate, a bug) is left as it is.
/// </summary>
internal static class PostgresFailures
{
    /// <summary>
    /// A connection-level failure: the socket, TLS, a timeout, an exhausted pool (any Npgsql failure that is not an error
    /// the server reported), or a server error that refuses the session rather than the statement.
    /// </summary>
    public static bool IsUnavailable(Exception exception) => exception switch
    {
        PostgresException postgres => IsUnavailable(postgres.SqlState),
        NpgsqlException => true,
        TimeoutException or SocketException or IOException => true,
        _ => false,
    };

    /// <summary>
    /// Connection exceptions (08), insufficient resources such as too many connections (53), the server shutting down or
    /// starting up (57P0x), system and I/O errors (58), credentials no longer accepted (28) and a database that went away (3D000).
    /// </summary>
    private static bool IsUnavailable(string sqlState) =>
        sqlState.StartsWith("08", StringComparison.Ordinal)
        || sqlState.StartsWith("53", StringComparison.Ordinal)
        || sqlState.StartsWith("57P0", StringComparison.Ordinal)
        || sqlState.StartsWith("58", StringComparison.Ordinal)
        || sqlState.StartsWith("28", StringComparison.Ordinal)
        || sqlState == PostgresErrorCodes.InvalidCatalogName;

    /// <summary>A store operation failed because the database does not answer.</summary>
    public static StoreUnavailableException Unavailable(PostgresConnectionSettings settings, Exception exception) =>
        new($"The store ({settings.Description}) does not answer: {Reason(exception)}.", exception);

    /// <summary>Opening the store (connecting, migrating) failed: what happened and what to check.</summary>
    public static StoreUnavailableException CannotOpen(PostgresConnectionSettings settings, Exception exception)
    {
        var server = $"the PostgreSQL server at {settings.Host}:{settings.Port}";
        var user = settings.Username is { Length: > 0 } name ? $"user '{name}'" : "the default user";
        var message = exception switch
        {
            PostgresException { SqlState: PostgresErrorCodes.InvalidPassword or PostgresErrorCodes.InvalidAuthorizationSpecification } p =>
                $"{Capitalized(server)} refused {user} for database '{settings.Database}' ({p.MessageText}); check Username and Password " +
                $"in {PostgresConnectionSettings.Setting}, and the server's pg_hba.conf.",
            PostgresException { SqlState: PostgresErrorCodes.InvalidCatalogName } =>
                $"The database '{settings.Database}' does not exist on {server}; create it (CREATE DATABASE \"{settings.Database}\"), " +
                $"or name another Database in {PostgresConnectionSettings.Setting}.",
            PostgresException { SqlState: PostgresErrorCodes.InsufficientPrivilege } p =>
                $"{Capitalized(user)} may not create Backchannel's tables in database '{settings.Database}' on {server} ({p.MessageText}); " +
                "grant it CREATE on the schema, or start Backchannel once as the schema's owner.",
            PostgresException p when IsUnavailable(p.SqlState) =>
                $"{Capitalized(server)} does not accept connections to database '{settings.Database}' ({p.SqlState}: {p.MessageText}); " +
                $"check the server and {PostgresConnectionSettings.Setting}.",
            PostgresException p =>
                $"Applying Backchannel's schema to {settings.Description} failed ({p.SqlState}: {p.MessageText}).",
            _ =>
                $"{Capitalized(server)} cannot be reached ({Reason(exception)}); check that it runs and accepts connections from this " +
                $"machine, and Host and Port in {PostgresConnectionSettings.Setting}.",
        };
        return new StoreUnavailableException(message, exception);
    }

    /// <summary>The server's words for its own errors, else the innermost cause (a socket's "Connection refused").</summary>
    private static string Reason(Exception exception)
    {
        if (exception is PostgresException postgres)
        {
            return $"{postgres.SqlState}: {postgres.MessageText}";
        }

        var innermost = exception;
        while (innermost.InnerException is { } inner)
        {
            innermost = inner;
        }

        var outer = exception.Message.TrimEnd('.');
        var cause = innermost.Message.TrimEnd('.');
        return outer.Contains(cause, StringComparison.Ordinal) ? outer : $"{outer}: {cause}";
    }

    private static string Capitalized(string text) => string.Concat(char.ToUpperInvariant(text[0]).ToString(), text.AsSpan(1));
}
