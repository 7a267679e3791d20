using Microsoft.Extensions.Logging;

namespace Backchannel.Tests.Support;

/// <summary>
/// Keeps every log entry, at every level (add it with <c>services.AddSingleton&lt;ILoggerProvider&gt;(recorder)</c> or
/// <c>logging.AddProvider(recorder)</c>): the formatted lines by category, and each entry whole (level, category,
/// message, structured values, exception text) for tests that look for something anywhere in the log.
/// </summary>
public sealed class RecordingLoggerProvider : ILoggerProvider
{
    private readonly List<(string Category, string Line, string Entry)> _entries = [];

    /// <summary>The formatted messages written under <paramref name="category"/>.</summary>
    public IReadOnlyList<string> Lines(string category)
    {
        lock (_entries)
        {
            return _entries.Where(e => e.Category == category).Select(e => e.Line).ToList();
        }
    }

    /// <summary>Every entry whole: "{level} {category}: {message} [{structured values}] {exception}".</summary>
    public IReadOnlyList<string> Entries
    {
        get
        {
            lock (_entries)
            {
                return _entries.Select(e => e.Entry).ToList();
            }
        }
    }

    /// <summary>The whole entries that contain <paramref name="text"/>.</summary>
    public IReadOnlyList<string> Containing(string text) => Entries.Where(entry => entry.Contains(text, StringComparison.Ordinal)).ToList();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(RecordingLoggerProvider provider, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var line = formatter(state, exception);
            var structured = state is IEnumerable<KeyValuePair<string, object?>> values
                ? string.Join("; ", values.Select(pair => $"{pair.Key}={pair.Value}"))
                : string.Empty;
            lock (provider._entries)
            {
                provider._entries.Add((category, line, $"{logLevel} {category}: {line} [{structured}] {exception}"));
            }
        }
    }
}
