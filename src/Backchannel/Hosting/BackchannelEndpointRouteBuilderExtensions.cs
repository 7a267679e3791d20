using Backchannel.Abstractions;
using Backchannel.Clients;
using Backchannel.Channels;
using Backchannel.Diagnostics;
using Backchannel.Endpoints;
using Backchannel.Endpoints.Admin;
using Backchannel.Hosting;
using Backchannel.Protocol;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Microsoft.AspNetCore.Builder;

public static class BackchannelEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps the provider's endpoints (DESIGN.md, protocol surface) under the issuer's path, and the operations endpoints
    /// (health, metrics) where <paramref name="configure"/> or <c>Backchannel:Operations</c> puts them. Called on a
    /// route group (<c>app.MapGroup("/ciba").MapBackchannel()</c>), the protocol endpoints go under the group, whose
    /// prefix must then be the issuer's path.
    /// </summary>
    public static IEndpointRouteBuilder MapBackchannel(this IEndpointRouteBuilder endpoints, Action<BackchannelEndpointOptions>? configure = null)
    {
        var services = endpoints.ServiceProvider;
        var options = BackchannelEndpointOptions.From(services.GetRequiredService<IOptions<OperationsOptions>>().Value);
        configure?.Invoke(options);

        var basePath = services.GetRequiredService<ProviderUrls>().BasePath;
        var protocol = endpoints is RouteGroupBuilder || basePath.Length == 0 ? endpoints : endpoints.MapGroup(basePath);
        // With a metrics port, that port serves metrics (and health) only: the port the connection came in on decides,
        // not the Host header a client chooses.
        var metricsPort = options.MetricsPort;
        RequestDelegate Guarded(RequestDelegate handler)
        {
            var guarded = EndpointGuard.Guard(handler);
            return metricsPort > 0 ? context => context.Connection.LocalPort == metricsPort ? NotFound(context) : guarded(context) : guarded;
        }

        // The client-facing protocol endpoints answer with x-fapi-interaction-id (FAPI), whatever the client's profile.
        RequestDelegate Client(RequestDelegate handler) => FapiInteractionId.Echo(Guarded(handler));

        protocol.MapGet(EndpointPaths.Discovery, Client(DiscoveryEndpoint.HandleAsync));
        protocol.MapGet(EndpointPaths.Jwks, Client(JwksEndpoint.HandleAsync));
        protocol.MapPost(EndpointPaths.BackchannelAuthentication, Client(BackchannelAuthenticationEndpoint.HandleAsync));
        protocol.MapPost(EndpointPaths.Token, Client(TokenEndpoint.HandleAsync));
        protocol.MapMethods(EndpointPaths.UserInfo, [HttpMethods.Get, HttpMethods.Post], Client(UserInfoEndpoint.HandleAsync));
        protocol.MapPost(EndpointPaths.DeviceCallback, Guarded(DeviceCallbackEndpoint.HandleAsync));

        // Dynamic client registration (RFC 7591) and management (RFC 7592): absent (404) unless Registration:Enabled.
        if (services.GetRequiredService<IOptions<RegistrationOptions>>().Value.Enabled)
        {
            protocol.MapPost(EndpointPaths.Registration, Client(ClientRegistrationEndpoint.HandleAsync));
            protocol.MapMethods(EndpointPaths.RegisteredClient, [HttpMethods.Get, HttpMethods.Put, HttpMethods.Delete],
                Client(ClientConfigurationEndpoint.HandleAsync));
        }

        protocol.MapPost(EndpointPaths.Revocation, Client(RevocationEndpoint.HandleAsync));
        protocol.MapPost(EndpointPaths.Introspection, Client(IntrospectionEndpoint.HandleAsync));
        AdminEndpoints.Map(protocol, Guarded);
        var channels = services.GetRequiredService<IOptions<ChannelOptions>>().Value;
        PortalRoutes.Map(protocol, channels.Portal.EffectiveEnabled(services.GetRequiredService<IHostEnvironment>().IsDevelopment()),
            channels.Email.Configured, Guarded);
        AppChannelRegistration.MapAppChannel(protocol, Guarded);
        if (services.GetRequiredService<IOptions<DemoOptions>>().Value.Applied)
        {
            protocol.MapPost(DemoData.NotificationSinkPath, DemoNotificationSinkEndpoint.HandleAsync);
        }

        if (options.HealthLivePath is { Length: > 0 } live)
        {
            endpoints.MapHealthChecks(live, new HealthCheckOptions { Predicate = _ => false });
        }

        if (options.HealthReadyPath is { Length: > 0 } ready)
        {
            endpoints.MapHealthChecks(ready, new HealthCheckOptions { Predicate = check => check.Tags.Contains(ReadinessHealthCheck.Tag) });
        }

        if (options.MetricsPath is { Length: > 0 } metrics)
        {
            var registry = services.GetRequiredService<MetricsExporter>().Registry;
            endpoints.MapGet(metrics, async context =>
            {
                if (metricsPort > 0 && context.Connection.LocalPort != metricsPort)
                {
                    await NotFound(context);
                    return;
                }

                context.Response.ContentType = MetricsExporter.ContentType;
                await registry.CollectAndExportAsTextAsync(context.Response.Body, context.RequestAborted);
            });
        }

        return endpoints;
    }

    private static Task NotFound(HttpContext context)
    {
        context.Response.StatusCode = StatusCodes.Status404NotFound;
        return Task.CompletedTask;
    }
}
