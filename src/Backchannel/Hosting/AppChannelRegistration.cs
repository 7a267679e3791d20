using Backchannel.Abstractions;
using Backchannel.Channels;
using Backchannel.Channels.App;
using Backchannel.Delivery;
using Backchannel.Endpoints;
using Backchannel.Protocol;
using Backchannel.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Backchannel.Hosting;

/// <summary>The app channel's part of the composition root: its settings always, its services and endpoints when <c>Channels:App:Enabled</c>.</summary>
internal static class AppChannelRegistration
{
    public static void AddAppChannel(IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<AppChannelOptions>().Bind(configuration.GetSection("Channels:App")).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AppChannelOptions>, AppChannelOptionsValidator>());
        if (!configuration.GetValue<bool>("Channels:App:Enabled"))
        {
            return;
        }

        services.AddSingleton(AppDeviceChannel.Type);
        services.AddSingleton(new RegisteredChannel(AppChannelOptions.ChannelName, AppChannelOptions.ChannelName));
        services.AddSingleton<AppDeviceChannel>();
        services.AddSingleton<AppDeviceService>();
        services.AddSingleton<DeviceOwnerAuthenticator>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ISignedInUserReader, PortalSignedInUserReader>());
        services.AddSingleton<DeviceJwtAuthenticator>();
        services.AddSingleton<DeviceDecisions>();
        services.AddSingleton<AppDeviceRequests>();
        services.AddSingleton<DeviceRequestWatchers>();
        services.AddHostedService(provider => provider.GetRequiredService<DeviceRequestWatchers>());
        services.AddSingleton<FcmAccessTokens>();
        services.AddSingleton<FcmSender>();

        // FCM and Google's token endpoint are the operator's choice (Fcm:BaseUrl, the key file's token_uri): no address
        // filter; Notifications:TrustedCertificatesFile adds the CAs of a stand-in. Retries are the outbox's.
        services.AddHttpClient(FcmAccessTokens.HttpClientName, (provider, http) => http.Timeout = Timeout(provider))
            .ConfigurePrimaryHttpMessageHandler(provider => OutboundHttpHandlers.Create(allowPrivateNetworks: true, Timeout(provider),
                provider.GetRequiredService<IOptions<NotificationOptions>>().Value.TrustedCertificatesFile))
            .RemoveAllLoggers();
    }

    public static void MapAppChannel(IEndpointRouteBuilder protocol, Func<RequestDelegate, RequestDelegate> guarded)
    {
        if (!protocol.ServiceProvider.GetRequiredService<IOptions<AppChannelOptions>>().Value.Enabled)
        {
            return;
        }

        protocol.MapPost(EndpointPaths.DeviceRegistration, guarded(GluuDeviceRegistrationEndpoint.HandleAsync));
        protocol.MapPost(EndpointPaths.AppDevices, guarded(AppDeviceRegistrationEndpoint.HandleAsync));
        protocol.MapGet(EndpointPaths.AppDevices, guarded(AppDeviceListEndpoint.HandleAsync));
        protocol.MapDelete(EndpointPaths.AppDevices + "/{id}", guarded(AppDeviceRemovalEndpoint.HandleAsync));
        protocol.MapGet(EndpointPaths.AppDevices + "/{id}/requests", guarded(AppDeviceRequestsEndpoint.HandleAsync));
        protocol.MapPost(EndpointPaths.AppDevices + "/{id}/decisions", guarded(AppDeviceDecisionEndpoint.HandleAsync));
    }

    private static TimeSpan Timeout(IServiceProvider provider) =>
        TimeSpan.FromSeconds(provider.GetRequiredService<IOptions<NotificationOptions>>().Value.TimeoutSeconds);
}
