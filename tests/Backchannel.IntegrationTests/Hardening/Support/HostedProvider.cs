using Backchannel.IntegrationTests.Infrastructure;
using Backchannel.Tests.Support;
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

    private HostedProvider(WebApplication app, string issuer, FakeDeviceService device, string directory, RecordingLoggerProvider logs)
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
    public RecordingLoggerProvider Logs { get; }

    public static async Task<HostedProvider> StartAsync(string environment, IDictionary<string, string?>? settings = null,
        Action<IServiceCollection>? services = null, TimeProvider? time = null)
    {
        var device = await FakeDeviceService.StartAsync();
        var directory = Path.Combine(Path.GetTempPath(), "backchannel-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        var port = FreePort.Next();
        var issuer = $"http://127.0.0.1:{port}";
        var configuration = TestProvider.BaseSettings(issuer, directory, device);
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            configuration[key] = value;
        }

        var logs = new RecordingLoggerProvider();
        var builder = TestProvider.CreateBuilder(environment, directory, port, configuration, time ?? TimeProvider.System);
        builder.Logging.SetMinimumLevel(LogLevel.Trace);
        builder.Logging.AddProvider(logs);
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
