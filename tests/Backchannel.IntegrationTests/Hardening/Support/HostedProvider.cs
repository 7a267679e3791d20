using System.Collections.Concurrent;
using Backchannel.IntegrationTests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Backchannel.IntegrationTests.Hardening.Support;

/// <summary>
/// The library hosted in the test process the way <see cref="TestProvider"/> hosts it (real loopback port, real SQLite
/// file, the test clients and users), for what that one does not offer: another environment name, services replaced
/// before the library registers its own, and every log entry captured.
/// </summary>
internal sealed class HostedProvider : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly FakeDeviceService _device;
    private readonly string _directory;

    private HostedProvider(WebApplication app, string issuer, FakeDeviceService device, string directory, CapturedLogs logs)
    {
        _app = app;
        _device = device;
        _directory = directory;
        Issuer = issuer;
        Logs = logs;
        Http = new HttpClient { BaseAddress = new Uri(issuer) };
    }

    public string Issuer { get; }

    public HttpClient Http { get; }

    /// <summary>Every log entry the provider wrote (all levels).</summary>
    public CapturedLogs Logs { get; }

    public static async Task<HostedProvider> StartAsync(string environment, IDictionary<string, string?>? settings = null,
        Action<IServiceCollection>? services = null, TimeProvider? time = null)
    {
        var device = await FakeDeviceService.StartAsync();
        var directory = Path.Combine(Path.GetTempPath(), "backchannel-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        var port = FreePort.Next();
        var issuer = $"http://127.0.0.1:{port}";
        var configuration = new Dictionary<string, string?>
        {
            ["Backchannel:Issuer"] = issuer,
            ["Backchannel:Storage:ConnectionString"] = $"Data Source={Path.Combine(directory, "backchannel.db")}",
            ["Backchannel:Ciba:PollingIntervalSeconds"] = "1",
            ["Backchannel:Ciba:MaxRequestsPerUserPerMinute"] = "0",
            ["Backchannel:Ciba:MaxRequestsPerClientAndUserPerMinute"] = "0",
            ["Backchannel:Notifications:AllowHttp"] = "true",
            ["Backchannel:Notifications:AllowPrivateNetworks"] = "true",
            ["Backchannel:Channels:Http:Url"] = device.NotifyUrl,
            ["Backchannel:Channels:Http:Token"] = FakeDeviceService.Token,
            ["Backchannel:Demo:Enabled"] = "false",
        };
        foreach (var (key, value) in TestClients.Configuration().Concat(settings ?? new Dictionary<string, string?>()))
        {
            configuration[key] = value;
        }

        var logs = new CapturedLogs();
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = environment, ContentRootPath = directory });
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddInMemoryCollection(configuration);
        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(LogLevel.Trace);
        builder.Logging.AddProvider(logs);
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(System.Net.IPAddress.Loopback, port));
        builder.Services.AddSingleton(time ?? TimeProvider.System);
        services?.Invoke(builder.Services);
        builder.Services.AddBackchannel(builder.Configuration.GetSection("Backchannel")).UseSqlite();

        var app = builder.Build();
        app.MapBackchannel();
        try
        {
            await app.StartAsync();
        }
        catch
        {
            await app.DisposeAsync();
            await device.DisposeAsync();
            throw;
        }

        return new HostedProvider(app, issuer, device, directory, logs);
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        await _device.DisposeAsync();
        using (var pooled = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(_directory, "backchannel.db")}"))
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearPool(pooled);
        }

        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>A logger provider that keeps every entry: its category, message and exception (with the exception's text).</summary>
internal sealed class CapturedLogs : ILoggerProvider
{
    private readonly ConcurrentQueue<string> _entries = new();

    public IReadOnlyCollection<string> Entries => _entries;

    /// <summary>The entries that contain <paramref name="text"/>.</summary>
    public IReadOnlyList<string> Containing(string text) => _entries.Where(entry => entry.Contains(text, StringComparison.Ordinal)).ToList();

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, _entries);

    public void Dispose()
    {
    }

    private sealed class Logger(string category, ConcurrentQueue<string> entries) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var structured = state is IEnumerable<KeyValuePair<string, object?>> values
                ? string.Join("; ", values.Select(pair => $"{pair.Key}={pair.Value}"))
                : string.Empty;
            entries.Enqueue($"{logLevel} {category}: {formatter(state, exception)} [{structured}] {exception}");
        }
    }
}
