using Microsoft.Extensions.Logging;

namespace Backchannel.Storage.Postgres;

/// <summary>
/// The logger factory Npgsql gets: the host's, with Npgsql's Information events (every statement it executes, by
/// Npgsql.Command) written at Debug. At thousands of statements a second they would fill the log and cost a flow's worth
/// of CPU; an operator who wants them sets <c>Logging:LogLevel:Npgsql</c> to Debug. Warnings and errors are unchanged.
/// </summary>
internal sealed class PostgresLoggerFactory(ILoggerFactory host) : ILoggerFactory
{
    public ILogger CreateLogger(string categoryName)
    {
        var logger = host.CreateLogger(categoryName);
        return categoryName.StartsWith("Npgsql", StringComparison.Ordinal) ? new Demoted(logger) : logger;
    }

    public void AddProvider(ILoggerProvider provider) => host.AddProvider(provider);

    /// <summary>The host's factory is the host's to dispose.</summary>
    public void Dispose()
    {
    }

    private sealed class Demoted(ILogger logger) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull =>
            logger.BeginScope(state);

        public bool IsEnabled(LogLevel logLevel) => logger.IsEnabled(Demote(logLevel));

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            logger.Log(Demote(logLevel), eventId, state, exception, formatter);

        private static LogLevel Demote(LogLevel logLevel) => logLevel == LogLevel.Information ? LogLevel.Debug : logLevel;
    }
}
