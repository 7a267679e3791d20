using Backchannel.Abstractions;
using Backchannel.Admin;
using Backchannel.Channels;
using Backchannel.Channels.Http;
using Backchannel.Channels.Log;
using Backchannel.Clients;
using Backchannel.Decisions;
using Backchannel.Delivery;
using Backchannel.Diagnostics;
using Backchannel.Endpoints;
using Backchannel.Events;
using Backchannel.Grants;
using Backchannel.Hosting;
using Backchannel.Keys;
using Backchannel.Protocol;
using Backchannel.Requests;
using Backchannel.Security;
using Backchannel.Tokens;
using Backchannel.Users;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Polly;

namespace Microsoft.Extensions.DependencyInjection;

public static class BackchannelServiceCollectionExtensions
{
    /// <summary>
    /// Adds the Backchannel OpenID Provider, configured from <paramref name="configuration"/> (the <c>Backchannel</c>
    /// section; each part of it is its own options type, e.g. <c>services.Configure&lt;CibaOptions&gt;(...)</c>). Choose
    /// the store on the result (<c>.UseSqlite()</c>) and map the endpoints with <c>app.MapBackchannel()</c>.
    /// </summary>
    public static BackchannelBuilder AddBackchannel(this IServiceCollection services, IConfiguration configuration)
    {
        AddOptions(services, configuration);

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<NodeIdentity>();
        services.AddSingleton<ProviderUrls>();
        services.AddSingleton<ReadinessState>();
        services.AddSingleton<BackchannelStartup>();
        services.AddMetrics();
        services.AddSingleton<BackchannelMetrics>();
        services.AddSingleton<MetricsExporter>();
        services.AddSingleton<AuditLog>();
        services.TryAddSingleton<IRequestEventFeed, InProcessRequestEventFeed>();
        services.AddSingleton<RequestEvents>();
        services.AddSingleton<AuditTrailWriter>();

        AddClients(services);
        AddKeysAndTokens(services, configuration);
        AddUsers(services);
        AddChannels(services);
        AppChannelRegistration.AddAppChannel(services, configuration);
        AddDelivery(services);
        AddRequestsAndGrants(services);
        AddAdministration(services);
        AddTls(services);

        // Hosted services start in this order: the store, seeding and keys first.
        services.AddHostedService<BackchannelStartupService>();
        // Stops after every service that publishes request events (hosted services stop in reverse order), writing what is queued.
        services.AddHostedService(provider => provider.GetRequiredService<AuditTrailWriter>());
        services.AddHostedService(provider => provider.GetRequiredService<MetricsExporter>());
        services.AddHostedService<OutboxWorker>();
        services.AddHostedService<KeyRotationService>();
        services.AddHostedService<ExpiryNotificationService>();
        services.AddHostedService<ExpiredDataCleanupService>();
        services.AddHostedService<StoreGauges>();
        services.AddHostedService<StartupMessages>();

        services.AddHealthChecks().AddCheck<ReadinessHealthCheck>("backchannel", tags: [ReadinessHealthCheck.Tag]);
        return new BackchannelBuilder(services, configuration);
    }

    private static void AddOptions(IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ProviderOptions>().Bind(configuration)
            .PostConfigure<IHostEnvironment, IServiceProvider>((options, environment, provider) =>
            {
                if (string.IsNullOrWhiteSpace(options.Issuer) && environment.IsDevelopment())
                {
                    options.Issuer = DevelopmentIssuer.FromListeningAddresses(provider.GetService<IConfiguration>()?["urls"]);
                }
            })
            .ValidateOnStart();
        // Each feature's settings are their own options type, bound to their section and checked by their own validator.
        services.AddOptions<StorageOptions>().Bind(configuration.GetSection("Storage")).ValidateOnStart();
        services.AddOptions<CibaOptions>().Bind(configuration.GetSection("Ciba")).ValidateOnStart();
        services.AddOptions<KeyOptions>().Bind(configuration.GetSection("Tokens")).ValidateOnStart();
        services.AddOptions<TokenOptions>().Bind(configuration.GetSection("Tokens")).ValidateOnStart();
        services.AddOptions<NotificationOptions>().Bind(configuration.GetSection("Notifications")).ValidateOnStart();
        services.AddOptions<ChannelOptions>().Bind(configuration.GetSection("Channels")).ValidateOnStart();
        services.AddOptions<DemoOptions>().Bind(configuration.GetSection("Demo")).ValidateOnStart();
        services.AddOptions<KeyProtectionOptions>().Bind(configuration.GetSection("KeyProtection")).ValidateOnStart();
        services.AddOptions<OperationsOptions>().Bind(configuration.GetSection("Operations")).ValidateOnStart();
        services.AddOptions<RegistrationOptions>().Bind(configuration.GetSection("Registration"))
            .Configure(registration => registration.ReadInitialAccessTokens(configuration.GetSection("Registration"))).ValidateOnStart();
        Validator<RegistrationOptions, RegistrationOptionsValidator>(services);
        services.AddOptions<AuditOptions>().Bind(configuration.GetSection("Audit")).ValidateOnStart();
        services.AddOptions<DpopOptions>().Bind(configuration.GetSection("Dpop")).ValidateOnStart();
        services.AddOptions<MtlsOptions>().Bind(configuration.GetSection("Mtls")).ValidateOnStart();
        services.AddOptions<FapiOptions>().Bind(configuration.GetSection("Fapi")).ValidateOnStart();
        Validator<ProviderOptions, ProviderOptionsValidator>(services);
        Validator<StorageOptions, StorageOptionsValidator>(services);
        Validator<OperationsOptions, OperationsOptionsValidator>(services);
        Validator<CibaOptions, CibaOptionsValidator>(services);
        Validator<KeyOptions, KeyOptionsValidator>(services);
        Validator<TokenOptions, TokenOptionsValidator>(services);
        Validator<NotificationOptions, NotificationOptionsValidator>(services);
        Validator<ChannelOptions, ChannelOptionsValidator>(services);
        Validator<DemoOptions, DemoOptionsValidator>(services);
        Validator<KeyProtectionOptions, KeyProtectionOptionsValidator>(services);
        Validator<AuditOptions, AuditOptionsValidator>(services);
        Validator<StorageOptions, StoreRegisteredValidator>(services);
        Validator<DpopOptions, DpopOptionsValidator>(services);
        Validator<MtlsOptions, MtlsOptionsValidator>(services);
        Validator<FapiOptions, FapiOptionsValidator>(services);

        // The demo data joins the configured clients and users when it applies (Development only).
        services.AddOptions<DemoOptions>().PostConfigure<IHostEnvironment>((demo, environment) =>
            demo.Applied = DemoData.ShouldApply(demo, configuration.GetSection("Clients").GetChildren().Count(),
                configuration.GetSection("Users").GetChildren().Count(), environment.IsDevelopment()));
        // Options depend on options only through IOptions, read when applied: a section's errors must not stop the others' checks.
        services.AddOptions<ConfiguredClients>().Bind(configuration)
            .PostConfigure<IOptions<DemoOptions>, IOptions<ProviderOptions>>((clients, demo, provider) =>
            {
                if (demo.Value.Applied)
                {
                    DemoData.AddClients(clients.Clients, new ProviderUrls(provider).Issuer);
                }
            })
            .ValidateOnStart();
        Validator<ConfiguredClients, ConfiguredClientsValidator>(services);
        services.AddOptions<ConfiguredUsers>().Bind(configuration)
            .PostConfigure<IOptions<DemoOptions>>((users, demo) =>
            {
                if (demo.Value.Applied)
                {
                    DemoData.AddUsers(users.Users);
                }
            })
            .ValidateOnStart();
        Validator<ConfiguredUsers, ConfiguredUsersValidator>(services);
    }

    private static void Validator<TOptions, TValidator>(IServiceCollection services)
        where TOptions : class
        where TValidator : class, IValidateOptions<TOptions> =>
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TOptions>, TValidator>());

    private static void AddClients(IServiceCollection services)
    {
        services.AddSingleton(provider =>
        {
            var development = provider.GetRequiredService<IHostEnvironment>().IsDevelopment();
            var ciba = provider.GetRequiredService<IOptions<CibaOptions>>().Value;
            var notifications = provider.GetRequiredService<IOptions<NotificationOptions>>().Value;
            var channels = ChannelRegistry.Plan(provider.GetRequiredService<IOptions<ChannelOptions>>().Value, development,
                provider.GetServices<RegisteredChannel>());
            return new ClientValidationSettings
            {
                DeliveryModes = ciba.EffectiveDeliveryModes,
                RequestSigningAlgorithms = ciba.EffectiveRequestSigningAlgorithms,
                UserCodeSupported = ciba.UserCodeSupported,
                AllowHttp = notifications.EffectiveAllowHttp(development),
                AllowPrivateNetworks = notifications.EffectiveAllowPrivateNetworks(development),
                TokenSigningAlgorithms = provider.GetRequiredService<IOptions<KeyOptions>>().Value.AvailableTokenAlgorithms,
                SupportedScopes = ciba.EffectiveScopes.ToHashSet(StringComparer.Ordinal),
                Channels = channels.Instances.Keys.ToHashSet(StringComparer.OrdinalIgnoreCase),
                MaxExpirySeconds = ciba.MaxExpirySeconds,
                PollingIntervalSeconds = ciba.PollingIntervalSeconds,
                DpopEnabled = provider.GetRequiredService<IOptions<DpopOptions>>().Value.Enabled,
                MtlsEnabled = provider.GetRequiredService<IOptions<MtlsOptions>>().Value.Enabled,
                FapiProfile = provider.GetRequiredService<IOptions<FapiOptions>>().Value.EffectiveProfile,
            };
        });
        services.AddSingleton<ClientCatalog>();
        services.AddSingleton<ClientRegistrationService>();
        services.AddSingleton<ClientSeeder>();
        services.AddSingleton<ClientKeyResolver>();
        services.AddSingleton<ClientJwtValidator>();
        services.AddSingleton<ClientAuthenticator>();
        services.AddSingleton<ClientCertificateAuthorities>();
        services.AddSingleton<TlsClientAuthVerifier>();
        services.AddSingleton<SelfSignedCertificateVerifier>();
        services.AddSingleton<DpopNonces>();
        services.AddSingleton<DpopProofVerifier>();
        services.AddHttpClient(ClientKeyResolver.HttpClientName, (provider, http) => http.Timeout = NotificationTimeout(provider))
            .ConfigurePrimaryHttpMessageHandler(ClientUrlHandler)
            .RemoveAllLoggers();
    }

    private static void AddKeysAndTokens(IServiceCollection services, IConfiguration configuration)
    {
        // The key ring that protects the stored keys: shared by every node of one provider (same application name).
        var protection = configuration.GetSection("KeyProtection").Get<KeyProtectionOptions>() ?? new KeyProtectionOptions();
        var dataProtection = services.AddDataProtection().SetApplicationName("Backchannel");
        if (!string.IsNullOrEmpty(protection.KeysDirectory))
        {
            dataProtection.PersistKeysToFileSystem(new DirectoryInfo(protection.KeysDirectory));
        }

        if (!string.IsNullOrEmpty(protection.CertificateFile) && File.Exists(protection.CertificateFile))
        {
            dataProtection.ProtectKeysWithCertificate(X509CertificateLoader.LoadPkcs12FromFile(protection.CertificateFile, protection.CertificatePassword));
        }

        services.AddSingleton<KeyMaterialProtector>();
        services.AddSingleton<KeyManager>();
        services.AddSingleton<SecretSealer>();
        services.AddSingleton<TokenIssuer>();
        services.AddSingleton<IssuedTokenValidator>();
        services.AddSingleton<DiscoveryDocumentCache>();

        // Pairwise subjects, revocation (RFC 7009) and introspection (RFC 7662).
        services.AddSingleton<ClientSubjects>();
        services.AddSingleton<TokenRevocationHandler>();
        services.AddSingleton<TokenIntrospectionHandler>();
    }

    private static void AddUsers(IServiceCollection services)
    {
        services.TryAddSingleton<IUserDirectory, StoreUserDirectory>();
        services.AddSingleton<UserHintResolver>();
        services.AddSingleton<UserSeeder>();
        services.AddSingleton<UserInfoHandler>();
    }

    private static void AddChannels(IServiceCollection services)
    {
        services.AddSingleton(HttpDeviceChannel.Type);
        services.AddSingleton(LogDeviceChannel.Type);
        PortalServices.Add(services);
        services.AddSingleton<ChannelRegistry>();
        services.AddSingleton<ChannelSelector>();
        services.AddSingleton<CallbackTokens>();
        services.AddSingleton<IOutboxMessageSender, DeviceNotificationSender>();

        // A device service is the operator's own and may live on a private network: no address filter. Its deliveries
        // have their own lane in the outbox worker, so a slow client never delays them.
        services.AddHttpClient(HttpDeviceChannel.HttpClientName, (provider, http) => http.Timeout = NotificationTimeout(provider))
            .ConfigurePrimaryHttpMessageHandler(provider => OutboundHttpHandlers.Create(allowPrivateNetworks: true, NotificationTimeout(provider),
                Notifications(provider).TrustedCertificatesFile))
            .RemoveAllLoggers();
    }

    private static void AddDelivery(IServiceCollection services)
    {
        services.AddSingleton<OutboxDispatcher>();
        services.AddSingleton<IOutboxHandOff>(provider => provider.GetRequiredService<OutboxDispatcher>());
        services.AddSingleton<DecisionService>();
        services.AddSingleton<ClientNotificationPoster>();
        services.AddSingleton<IOutboxMessageSender, PingSender>();
        services.AddSingleton<IOutboxMessageSender, PushSender>();
        services.AddHttpClient(ClientNotificationPoster.HttpClientName, http => http.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(ClientUrlHandler)
            .RemoveAllLoggers()
            .AddResilienceHandler("client-notifications", (pipeline, context) => DeliveryPipeline(pipeline, context.ServiceProvider))
            .SelectPipelineByAuthority();
    }

    private static void AddRequestsAndGrants(IServiceCollection services)
    {
        services.AddSingleton<UserRequestRateLimiter>();
        services.AddSingleton<SignedRequestReader>();
        services.AddSingleton<BackchannelAuthenticationHandler>();
        services.AddSingleton<CibaGrantHandler>();
        services.AddSingleton<LongPolls>();
        services.AddHostedService(provider => provider.GetRequiredService<LongPolls>());
        services.AddSingleton<RefreshTokenGrantHandler>();
        services.AddSingleton<ClientCredentialsGrantHandler>();
        services.AddSingleton<TokenRequestHandler>();
    }

    /// <summary>
    /// TLS on Kestrel's HTTPS listeners (protocols, FAPI cipher suites, client certificates on the mutual-TLS alias) and,
    /// behind a proxy, the forwarded client certificate.
    /// </summary>
    private static void AddTls(IServiceCollection services)
    {
        services.AddSingleton<IConfigureOptions<Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerOptions>>(provider =>
            new KestrelTlsSetup(provider.GetRequiredService<IOptions<MtlsOptions>>(), provider.GetRequiredService<IOptions<FapiOptions>>()));
        CertificateForwardingSetup.Add(services);
    }

    /// <summary>The admin API's services (<c>/admin</c>, an access token with the scope backchannel:admin).</summary>
    private static void AddAdministration(IServiceCollection services)
    {
        services.AddSingleton<AdminAuthorizer>();
        services.AddSingleton<ClientAdministration>();
        services.AddSingleton<UserAdministration>();
        services.AddSingleton<RequestAdministration>();
        services.AddSingleton<DeviceAdministration>();
        services.AddSingleton<KeyAdministration>();
    }

    /// <summary>
    /// One delivery attempt, per destination host: the attempt's timeout, and a circuit breaker that stops calling a host
    /// that keeps failing (half or more of at least 10 attempts in 30 s) for <c>Notifications:CircuitBreakSeconds</c>, so
    /// that its messages wait in the store instead of holding connections. Retries are the outbox's, not the pipeline's.
    /// </summary>
    private static void DeliveryPipeline(ResiliencePipelineBuilder<HttpResponseMessage> pipeline, IServiceProvider provider)
    {
        var settings = Notifications(provider);
        pipeline.AddCircuitBreaker(new HttpCircuitBreakerStrategyOptions
        {
            FailureRatio = 0.5,
            MinimumThroughput = 10,
            SamplingDuration = TimeSpan.FromSeconds(30),
            BreakDuration = TimeSpan.FromSeconds(settings.CircuitBreakSeconds),
        });
        pipeline.AddTimeout(TimeSpan.FromSeconds(settings.TimeoutSeconds));
    }

    /// <summary>The handler for URLs clients registered: no redirects, and no private addresses unless allowed.</summary>
    internal static SocketsHttpHandler ClientUrlHandler(IServiceProvider provider) => OutboundHttpHandlers.Create(
        provider.GetRequiredService<ClientValidationSettings>().AllowPrivateNetworks, NotificationTimeout(provider),
        Notifications(provider).TrustedCertificatesFile);

    private static TimeSpan NotificationTimeout(IServiceProvider provider) => TimeSpan.FromSeconds(Notifications(provider).TimeoutSeconds);

    private static NotificationOptions Notifications(IServiceProvider provider) => provider.GetRequiredService<IOptions<NotificationOptions>>().Value;
}
