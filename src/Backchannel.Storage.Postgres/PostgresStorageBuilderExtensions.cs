using Backchannel.Abstractions;
using Backchannel.Storage.Postgres;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

public static class PostgresStorageBuilderExtensions
{
    /// <summary>
    /// Stores everything in the PostgreSQL database of <c>Storage:ConnectionString</c> (or <paramref name="connectionString"/>),
    /// an Npgsql connection string; the schema is created and migrated at start. Many nodes may share the database: each
    /// keeps its own <see cref="NodeIdentity"/> (unique per process), and every state change is one atomic statement.
    /// </summary>
    public static BackchannelBuilder UsePostgres(this BackchannelBuilder builder, string? connectionString = null)
    {
        var services = builder.Services;
        services.AddSingleton(provider => PostgresConnectionSettings.Parse(
            connectionString ?? provider.GetRequiredService<IOptions<StorageOptions>>().Value.ConnectionString));
        // The one data source (pool) of the process, inside the database service: disposed with the container.
        services.AddSingleton(provider => new PostgresDatabase(provider.GetRequiredService<PostgresConnectionSettings>(),
            provider.GetRequiredService<ILoggerFactory>()));
        services.AddSingleton<PostgresMigrator>();
        services.AddSingleton<PostgresStoreLifecycle>();
        services.AddSingleton<IStoreLifecycle>(provider => provider.GetRequiredService<PostgresStoreLifecycle>());
        services.AddSingleton<IStoreStatistics>(provider => provider.GetRequiredService<PostgresStoreLifecycle>());
        services.AddSingleton<IStoreLock, PostgresStoreLock>();
        services.AddSingleton<IAuthenticationRequestStore, PostgresAuthenticationRequestStore>();
        services.AddSingleton<IOutboxStore, PostgresOutboxStore>();
        services.AddSingleton<IRefreshTokenStore, PostgresRefreshTokenStore>();
        services.AddSingleton<IReplayCache, PostgresReplayCache>();
        services.AddSingleton<IKeyStore, PostgresKeyStore>();
        services.AddSingleton<IUserStore, PostgresUserStore>();
        services.AddSingleton<IClientStore, PostgresClientStore>();
        services.AddSingleton<IRevokedAccessTokenStore, PostgresRevokedAccessTokenStore>();
        services.AddSingleton<IPairwiseSubjectStore, PostgresPairwiseSubjectStore>();
        services.AddSingleton<IAuditStore, PostgresAuditStore>();
        services.AddSingleton<ISignInFailureStore, PostgresSignInFailureStore>();
        services.AddSingleton<IAppDeviceStore, PostgresAppDeviceStore>();

        // The change feed reaches every node (LISTEN/NOTIFY), so that a long poll held by one node wakes when another
        // records the decision.
        services.AddSingleton<PostgresRequestEventFeed>();
        services.Replace(ServiceDescriptor.Singleton<IRequestEventFeed>(provider => provider.GetRequiredService<PostgresRequestEventFeed>()));
        services.AddHostedService(provider => provider.GetRequiredService<PostgresRequestEventFeed>());
        return builder;
    }
}
