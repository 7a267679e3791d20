using Backchannel.Channels;
using Backchannel.Channels.Http;
using Backchannel.Channels.Log;
using Backchannel.Clients;
using Backchannel.Configuration;
using Backchannel.Delivery;
using Backchannel.Diagnostics;
using Backchannel.Endpoints;
using Backchannel.Handlers;
using Backchannel.Hosting;
using Backchannel.Keys;
using Backchannel.Storage;
using Backchannel.Storage.Sqlite;
using Backchannel.Tokens;
using Backchannel.Users;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

public static class BackchannelServiceCollectionExtensions
{
    /// <summary>
    /// Adds the Backchannel OpenID Provider, configured from <paramref name="configuration"/> (the <c>Backchannel</c>
    /// section), then by <paramref name="configure"/>. Map its endpoints with <c>app.MapBackchannel()</c>.
    /// </summary>
    public static IServiceCollection AddBackchannel(this IServiceCollection services, IConfiguration configuration,
        Action<BackchannelOptions>? configure = null)
    {
        services.AddOptions<BackchannelOptions>()
            .Bind(configuration)
            .PostConfigure<IHostEnvironment>((options, environment) =>
            {
                configure?.Invoke(options);
                if (DemoData.ShouldApply(options, environment.IsDevelopment()))
                {
                    DemoData.Apply(options);
                }
            })
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<BackchannelOptions>, BackchannelOptionsValidator>());

        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<ReadinessState>();
        services.AddSingleton<BackchannelMetrics>();

        AddStorage(services);
        AddClients(services);
        AddUsers(services);
        AddTokens(services);
        AddChannels(services);
        AddHandlers(services);

        // Hosted services start in this order: the store and keys first.
        services.AddHostedService<StoreInitializer>();
        services.AddHostedService<OutboxWorker>();
        services.AddHostedService<KeyRotationService>();
        services.AddHostedService<ExpiryNotificationService>();
        services.AddHostedService<ExpiredDataCleanupService>();
        services.AddHostedService<DemoBanner>();

        services.AddHealthChecks().AddCheck<ReadinessHealthCheck>("backchannel", tags: ["ready"]);
        return services;
    }

    private static void AddStorage(IServiceCollection services)
    {
        services.AddSingleton(provider =>
        {
            var storage = provider.GetRequiredService<IOptions<BackchannelOptions>>().Value.Storage;
            var contentRoot = provider.GetRequiredService<IHostEnvironment>().ContentRootPath;
            return new SqliteDatabase(SqliteConnectionStrings.Resolve(storage.ConnectionString, contentRoot),
                provider.GetRequiredService<ILogger<SqliteDatabase>>());
        });
        services.AddSingleton<IAuthenticationRequestStore, SqliteAuthenticationRequestStore>();
        services.AddSingleton<IOutboxStore, SqliteOutboxStore>();
        services.AddSingleton<IRefreshTokenStore, SqliteRefreshTokenStore>();
        services.AddSingleton<IReplayCache, SqliteReplayCache>();
        services.AddSingleton<IKeyStore, SqliteKeyStore>();
        services.AddSingleton<IUserStore, SqliteUserStore>();
        services.AddSingleton<IRevokedAccessTokenStore, SqliteRevokedAccessTokenStore>();
    }

    private static void AddClients(IServiceCollection services)
    {
        services.AddSingleton(provider => BackchannelOptionsValidator.ClientSettings(
            provider.GetRequiredService<IOptions<BackchannelOptions>>().Value,
            provider.GetRequiredService<IHostEnvironment>().IsDevelopment()));
        services.TryAddSingleton<IClientRegistry, ConfiguredClientRegistry>();
        services.AddSingleton<ClientKeyResolver>();
        services.AddSingleton<ClientJwtValidator>();
        services.AddSingleton<ClientAuthenticator>();
        services.AddHttpClient(ClientKeyResolver.HttpClientName, (provider, http) => http.Timeout = NotificationTimeout(provider))
            .ConfigurePrimaryHttpMessageHandler(provider => ClientUrlHandler(provider))
            .RemoveAllLoggers();
    }

    private static void AddUsers(IServiceCollection services)
    {
        services.TryAddSingleton<IUserDirectory, StoreUserDirectory>();
        services.AddSingleton<UserHintResolver>();
        services.AddSingleton<UserSeeder>();
    }

    private static void AddTokens(IServiceCollection services)
    {
        services.AddSingleton<KeyManager>();
        services.AddSingleton<SecretSealer>();
        services.AddSingleton<TokenIssuer>();
        services.AddSingleton<IssuedTokenValidator>();
        services.AddSingleton<DiscoveryDocumentCache>();
    }

    private static void AddChannels(IServiceCollection services)
    {
        services.AddSingleton<CallbackTokens>();
        services.AddSingleton<ChannelSelector>();
        services.AddSingleton<IAuthenticationDeviceChannel, HttpDeviceChannel>();
        services.AddSingleton<IAuthenticationDeviceChannel, LogDeviceChannel>();
        services.AddSingleton<IOutboxMessageSender, DeviceNotificationSender>();
        services.AddSingleton<OutboxDispatcher>();
        services.AddSingleton<ClientNotifications>();
        services.AddSingleton<ClientNotificationPoster>();
        services.AddSingleton<IOutboxMessageSender, PingSender>();
        services.AddSingleton<IOutboxMessageSender, PushSender>();
        services.AddHttpClient(ClientNotificationPoster.HttpClientName, (provider, http) => http.Timeout = NotificationTimeout(provider))
            .ConfigurePrimaryHttpMessageHandler(provider => ClientUrlHandler(provider))
            .RemoveAllLoggers();

        // The device service is the operator's own and may live on a private network: no address filter.
        services.AddHttpClient(HttpDeviceChannel.HttpClientName, (provider, http) => http.Timeout = NotificationTimeout(provider))
            .ConfigurePrimaryHttpMessageHandler(provider => OutboundHttpHandlers.Create(allowPrivateNetworks: true, NotificationTimeout(provider),
                Notifications(provider).TrustedCertificatesFile))
            .RemoveAllLoggers();
    }

    private static void AddHandlers(IServiceCollection services)
    {
        services.AddSingleton<UserRequestRateLimiter>();
        services.AddSingleton<SignedRequestReader>();
        services.AddSingleton<BackchannelAuthenticationHandler>();
        services.AddSingleton<CibaGrantHandler>();
        services.AddSingleton<RefreshTokenGrantHandler>();
        services.AddSingleton<TokenRequestHandler>();
        services.AddSingleton<DeviceCallbackHandler>();
        services.AddSingleton<UserInfoHandler>();
    }

    /// <summary>The handler for URLs clients registered: no redirects, and no private addresses unless allowed.</summary>
    internal static SocketsHttpHandler ClientUrlHandler(IServiceProvider provider) => OutboundHttpHandlers.Create(
        provider.GetRequiredService<ClientValidationSettings>().AllowPrivateNetworks, NotificationTimeout(provider),
        Notifications(provider).TrustedCertificatesFile);

    private static TimeSpan NotificationTimeout(IServiceProvider provider) => TimeSpan.FromSeconds(Notifications(provider).TimeoutSeconds);

    private static NotificationOptions Notifications(IServiceProvider provider) =>
        provider.GetRequiredService<IOptions<BackchannelOptions>>().Value.Notifications;
}
