using Backchannel.Abstractions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Backchannel.Tests.Storage;

/// <summary>
/// A store engine as the store contract tests use it: a fresh, empty store, composed the way a host composes it
/// (<c>AddBackchannel(...).UseXxx()</c>), reached only through the store interfaces; and the same data opened again, as
/// a restarted process (or another node) would.
/// </summary>
public abstract class StoreEngine : IAsyncDisposable
{
    private readonly List<ServiceProvider> _providers = [];

    /// <summary>Settings of the <c>Backchannel</c> section this engine needs (its connection string).</summary>
    protected abstract IReadOnlyDictionary<string, string?> Settings { get; }

    /// <summary>Registers the engine on the builder (<c>.UseSqlite()</c>, ...).</summary>
    protected abstract void Use(BackchannelBuilder builder);

    /// <summary>Opens the store: the first call creates it, later calls open the same data in a new instance (the previous one closed).</summary>
    public async Task<Stores> OpenAsync(TimeProvider? time = null)
    {
        foreach (var previous in _providers)
        {
            await previous.DisposeAsync();
        }

        _providers.Clear();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(Settings).Build();
        var services = new ServiceCollection();
        services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
        services.AddSingleton<IHostEnvironment>(new TestHostEnvironment());
        services.AddSingleton(time ?? TimeProvider.System);
        Use(services.AddBackchannel(configuration));
        var provider = services.BuildServiceProvider();
        _providers.Add(provider);
        await provider.GetRequiredService<IStoreLifecycle>().OpenAsync(CancellationToken.None);
        return new Stores(provider);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var provider in _providers)
        {
            await provider.DisposeAsync();
        }

        await DisposeStorageAsync();
        GC.SuppressFinalize(this);
    }

    /// <summary>Removes what the engine created (a temporary file, a database).</summary>
    protected abstract ValueTask DisposeStorageAsync();

    private sealed class TestHostEnvironment : IHostEnvironment
    {
        public string EnvironmentName { get; set; } = Environments.Production;
        public string ApplicationName { get; set; } = "Backchannel.Tests";
        public string ContentRootPath { get; set; } = Path.GetTempPath();
        public Microsoft.Extensions.FileProviders.IFileProvider ContentRootFileProvider { get; set; } = null!;
    }
}

/// <summary>The store contracts of one open store.</summary>
public sealed class Stores(IServiceProvider services)
{
    /// <summary>The store's container, for what is not a store contract (an engine's change feed).</summary>
    public IServiceProvider Services => services;

    public IAuthenticationRequestStore Requests => services.GetRequiredService<IAuthenticationRequestStore>();
    public IOutboxStore Outbox => services.GetRequiredService<IOutboxStore>();
    public IRefreshTokenStore RefreshTokens => services.GetRequiredService<IRefreshTokenStore>();
    public IReplayCache ReplayCache => services.GetRequiredService<IReplayCache>();
    public IRevokedAccessTokenStore RevokedAccessTokens => services.GetRequiredService<IRevokedAccessTokenStore>();
    public IPairwiseSubjectStore PairwiseSubjects => services.GetRequiredService<IPairwiseSubjectStore>();
    public ISignInFailureStore SignInFailures => services.GetRequiredService<ISignInFailureStore>();
    public IKeyStore Keys => services.GetRequiredService<IKeyStore>();
    public IUserStore Users => services.GetRequiredService<IUserStore>();
    public IClientStore Clients => services.GetRequiredService<IClientStore>();
    public IAuditStore Audit => services.GetRequiredService<IAuditStore>();
    public IAppDeviceStore Devices => services.GetRequiredService<IAppDeviceStore>();
    public IStoreLock Lock => services.GetRequiredService<IStoreLock>();
    public IStoreLifecycle Lifecycle => services.GetRequiredService<IStoreLifecycle>();
    public IStoreStatistics Statistics => services.GetRequiredService<IStoreStatistics>();
}

/// <summary>The embedded SQLite store, in a temporary file.</summary>
public sealed class SqliteStoreEngine : StoreEngine
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"backchannel-contract-{Guid.NewGuid():N}.db");

    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Storage:Provider"] = StorageProviders.Sqlite,
        ["Storage:ConnectionString"] = $"Data Source={_path}",
    };

    protected override void Use(BackchannelBuilder builder) => builder.UseSqlite();

    protected override ValueTask DisposeStorageAsync()
    {
        foreach (var suffix in new[] { "", "-wal", "-shm", "-journal", ".lock" })
        {
            try
            {
                File.Delete(_path + suffix);
            }
            catch (IOException)
            {
                // Best effort: a temp file left behind is harmless.
            }
        }

        return ValueTask.CompletedTask;
    }
}
