using Backchannel.Abstractions;
using Backchannel.Storage.Sqlite;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

public static class SqliteStorageBuilderExtensions
{
    /// <summary>
    /// Stores everything in the embedded SQLite database of <c>Storage:ConnectionString</c> (or <paramref name="connectionString"/>;
    /// a relative file lives under the content root). One process per file.
    /// </summary>
    public static BackchannelBuilder UseSqlite(this BackchannelBuilder builder, string? connectionString = null)
    {
        var services = builder.Services;
        services.AddSingleton(provider => new SqliteDatabase(
            SqliteConnectionStrings.Resolve(connectionString ?? provider.GetRequiredService<IOptions<StorageOptions>>().Value.ConnectionString,
                provider.GetRequiredService<IHostEnvironment>().ContentRootPath),
            provider.GetRequiredService<ILogger<SqliteDatabase>>()));
        services.AddSingleton<SqliteStoreLifecycle>();
        services.AddSingleton<IStoreLifecycle>(provider => provider.GetRequiredService<SqliteStoreLifecycle>());
        services.AddSingleton<IStoreStatistics>(provider => provider.GetRequiredService<SqliteStoreLifecycle>());
        services.AddSingleton<IStoreLock, SqliteStoreLock>();
        services.AddSingleton<IAuthenticationRequestStore, SqliteAuthenticationRequestStore>();
        services.AddSingleton<IOutboxStore, SqliteOutboxStore>();
        services.AddSingleton<IRefreshTokenStore, SqliteRefreshTokenStore>();
        services.AddSingleton<IReplayCache, SqliteReplayCache>();
        services.AddSingleton<IKeyStore, SqliteKeyStore>();
        services.AddSingleton<IUserStore, SqliteUserStore>();
        services.AddSingleton<IClientStore, SqliteClientStore>();
        services.AddSingleton<IRevokedAccessTokenStore, SqliteRevokedAccessTokenStore>();
        services.AddSingleton<IPairwiseSubjectStore, SqlitePairwiseSubjectStore>();
        services.AddSingleton<IAuditStore, SqliteAuditStore>();
        services.AddSingleton<ISignInFailureStore, SqliteSignInFailureStore>();
        services.AddSingleton<IAppDeviceStore, SqliteAppDeviceStore>();

        // One process per file: a restarted process is the same node, and takes back the outbox leases it held.
        services.Replace(ServiceDescriptor.Singleton(new NodeIdentity("sqlite")));
        return builder;
    }
}
