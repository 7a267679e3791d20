using Microsoft.Extensions.Logging;

namespace Backchannel.Tests.Support;

/// <summary>Keeps the formatted log lines by category (add it with <c>services.AddSingleton&lt;ILoggerProvider&gt;(recorder)</c>).</summary>
public sealed class RecordingLoggerProvider : ILoggerProvider
{
    private readonly List<(string Category, string Line)> _lines = [];

    public IReadOnlyList<string> Lines(string category)
    {
        lock (_lines)
        {
            return _lines.Where(l => l.Category == category).Select(l => l.Line).ToList();
        }
    }

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
            lock (provider._lines)
            {
                provider._lines.Add((category, formatter(state, exception)));
            }
        }
    }
}
