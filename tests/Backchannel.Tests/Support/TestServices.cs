using Backchannel.Abstractions;
using Backchannel.Hosting;
using Backchannel.Storage.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Backchannel.Tests.Support;

/// <summary>
/// The provider's services composed the way a host composes them (<c>AddBackchannel(...).UseSqlite()</c>) over a
/// SQLite store in a temporary file, with settings of the <c>Backchannel</c> section and, when given, a
/// <see cref="FakeTimeProvider"/> registered before <c>AddBackchannel</c> so that it is the provider's clock. The store is
/// opened; with <c>seed</c> the startup runs (clients, users and keys). Disposing removes the files.
/// </summary>
public sealed class TestServices : IAsyncDisposable
{
    public const string Issuer = "https://op.example.com";
    public const string DeviceServiceUrl = "https://device.example.com/notify";

    private readonly ServiceProvider _provider;
    private readonly string _path;
    private readonly List<string> _extraFiles;

    private TestServices(ServiceProvider provider, string path, FakeTimeProvider? time, List<string> extraFiles)
    {
        _provider = provider;
        _path = path;
        Time = time;
        _extraFiles = extraFiles;
    }

    public IServiceProvider Services => _provider;

    /// <summary>The provider's clock when the test gave one.</summary>
    public FakeTimeProvider? Time { get; }

    /// <summary>The clock the services use.</summary>
    public TimeProvider Clock => Time ?? TimeProvider.System;

    /// <summary>This node's outbox lease owner.</summary>
    public string NodeId => Get<NodeIdentity>().Id;

    public T Get<T>()
        where T : notnull => _provider.GetRequiredService<T>();

    /// <summary>Composes, opens and (with <paramref name="seed"/>) seeds the services.</summary>
    /// <param name="settings">Settings of the <c>Backchannel</c> section (without the prefix); they override the defaults.</param>
    /// <param name="time">The clock; none: the system clock.</param>
    /// <param name="configure">Changes to the services after <c>AddBackchannel</c> (e.g. fake senders).</param>
    /// <param name="seed">Runs <see cref="BackchannelStartup"/>: clients, users and keys.</param>
    /// <param name="deleteOnDispose">More files to delete on dispose (a PEM key file).</param>
    public static async Task<TestServices> StartAsync(IEnumerable<KeyValuePair<string, string?>>? settings = null, FakeTimeProvider? time = null,
        Action<IServiceCollection>? configure = null, bool seed = true, IEnumerable<string>? deleteOnDispose = null)
    {
        var path = Path.Combine(Path.GetTempPath(), $"backchannel-services-{Guid.NewGuid():N}.db");
        var values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
        {
            ["Issuer"] = Issuer,
            ["Storage:Provider"] = StorageProviders.Sqlite,
            ["Storage:ConnectionString"] = $"Data Source={path}",
            ["Channels:Http:Url"] = DeviceServiceUrl,
            ["Channels:Http:Token"] = "device-service-token-0123456789",
            // ES256 keys are generated in a millisecond; tests that need RSA say so.
            ["Tokens:SigningAlgorithm"] = "ES256",
        };
        foreach (var (key, value) in settings ?? [])
        {
            values[key] = value;
        }

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        var services = new ServiceCollection();
        services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
        services.AddSingleton<IHostEnvironment>(new TestHostEnvironment());
        if (time is not null)
        {
            services.AddSingleton<TimeProvider>(time);
        }

        services.AddBackchannel(configuration).UseSqlite();
        configure?.Invoke(services);
        var provider = services.BuildServiceProvider();
        var result = new TestServices(provider, path, time, deleteOnDispose?.ToList() ?? []);
        try
        {
            await provider.GetRequiredService<IStoreLifecycle>().OpenAsync(CancellationToken.None);
            if (seed)
            {
                await provider.GetRequiredService<BackchannelStartup>().RunAsync(CancellationToken.None);
            }
        }
        catch
        {
            await result.DisposeAsync();
            throw;
        }

        return result;
    }

    /// <summary>Reads the SQLite store directly (what the store interfaces do not show, e.g. an outbox row).</summary>
    internal T Read<T>(Func<SqliteSession, T> read) => Get<SqliteDatabase>().Read(read);

    /// <summary>A number the store answers to <paramref name="sql"/>.</summary>
    internal long Count(string sql, params (string Name, object? Value)[] parameters) =>
        Read(session => Convert.ToInt64(session.Scalar(sql, parameters), System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>The outbox row of message <paramref name="id"/>, or null when it was removed.</summary>
    internal OutboxRow? FindOutboxRow(long id) => Read(session =>
    {
        using var reader = session.Query("SELECT attempts, lease_owner, lease_until, next_attempt_at FROM outbox WHERE id = $id", ("$id", id));
        return reader.Read()
            ? new OutboxRow(reader.GetInt32(0), reader.IsDBNull(1) ? null : reader.GetString(1),
                DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(2)), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(3)))
            : null;
    });

    public async ValueTask DisposeAsync()
    {
        await _provider.DisposeAsync();
        foreach (var file in new[] { "", "-wal", "-shm", "-journal", ".lock" }.Select(suffix => _path + suffix).Concat(_extraFiles))
        {
            try
            {
                File.Delete(file);
            }
            catch (IOException)
            {
                // Best effort: a temp file left behind is harmless.
            }
        }
    }

    private sealed class TestHostEnvironment : IHostEnvironment
    {
        public string EnvironmentName { get; set; } = Environments.Production;
        public string ApplicationName { get; set; } = "Backchannel.Tests";
        public string ContentRootPath { get; set; } = Path.GetTempPath();
        public IFileProvider ContentRootFileProvider { get; set; } = new NullFileProvider();
    }
}

/// <summary>An outbox row as stored.</summary>
public sealed record OutboxRow(int Attempts, string? LeaseOwner, DateTimeOffset LeaseUntil, DateTimeOffset NextAttemptAt);
