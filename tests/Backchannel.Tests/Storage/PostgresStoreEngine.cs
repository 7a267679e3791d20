using Backchannel.Abstractions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Backchannel.Tests.Storage;

/// <summary>
/// The PostgreSQL store in a database of its own on the test server (<see cref="PostgresServer"/>), created empty with
/// the engine and dropped with it. <see cref="StoreEngine.OpenAsync"/> again is a restarted process; <see cref="OpenNodeAsync"/>
/// is another node: a second instance on the same database, open at the same time.
/// </summary>
public sealed class PostgresStoreEngine : StoreEngine
{
    private readonly List<ServiceProvider> _nodes = [];

    public PostgresStoreEngine()
    {
        Database = $"contract_{Guid.NewGuid():N}";
        PostgresServer.Instance.CreateDatabase(Database);
    }

    public string Database { get; }

    public string ConnectionString => PostgresServer.Instance.ConnectionString(Database);

    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Storage:Provider"] = StorageProviders.Postgres,
        ["Storage:ConnectionString"] = ConnectionString,
    };

    protected override void Use(BackchannelBuilder builder) => builder.UsePostgres();

    /// <summary>
    /// Another node on the same database, composed as a host composes it, open until the engine is disposed (the
    /// instances <see cref="StoreEngine.OpenAsync"/> returns are left open). <paramref name="open"/> false leaves
    /// <see cref="IStoreLifecycle.OpenAsync"/> to the caller.
    /// </summary>
    public async Task<Stores> OpenNodeAsync(TimeProvider? time = null, bool open = true, string? connectionString = null)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Storage:Provider"] = StorageProviders.Postgres,
            ["Storage:ConnectionString"] = connectionString ?? ConnectionString,
        }).Build();
        var services = new ServiceCollection();
        services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
        services.AddSingleton(time ?? TimeProvider.System);
        services.AddBackchannel(configuration).UsePostgres();
        var provider = services.BuildServiceProvider();
        lock (_nodes)
        {
            _nodes.Add(provider);
        }

        if (open)
        {
            await provider.GetRequiredService<IStoreLifecycle>().OpenAsync(CancellationToken.None);
        }

        return new Stores(provider);
    }

    protected override async ValueTask DisposeStorageAsync()
    {
        foreach (var node in _nodes)
        {
            await node.DisposeAsync();
        }

        PostgresServer.Instance.DropDatabase(Database);
    }
}
