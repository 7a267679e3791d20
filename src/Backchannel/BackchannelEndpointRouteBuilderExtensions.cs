using Backchannel.Configuration;
using Backchannel.Diagnostics;
using Backchannel.Endpoints;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Prometheus;

namespace Microsoft.AspNetCore.Builder;

public static class BackchannelEndpointRouteBuilderExtensions
{
    /// <summary>Maps the provider's endpoints (DESIGN.md, protocol surface) at their paths under the issuer.</summary>
    public static IEndpointRouteBuilder MapBackchannel(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet(EndpointPaths.Discovery, DiscoveryEndpoint.HandleAsync);
        endpoints.MapGet(EndpointPaths.Jwks, JwksEndpoint.HandleAsync);
        endpoints.MapPost(EndpointPaths.BackchannelAuthentication, BackchannelAuthenticationEndpoint.HandleAsync);
        endpoints.MapPost(EndpointPaths.Token, TokenEndpoint.HandleAsync);
        endpoints.MapMethods(EndpointPaths.UserInfo, ["GET", "POST"], UserInfoEndpoint.HandleAsync);
        endpoints.MapPost(EndpointPaths.DeviceCallback, DeviceCallbackEndpoint.HandleAsync);

        endpoints.MapHealthChecks(EndpointPaths.HealthLive, new HealthCheckOptions { Predicate = _ => false });
        endpoints.MapHealthChecks(EndpointPaths.HealthReady, new HealthCheckOptions { Predicate = check => check.Tags.Contains("ready") });
        endpoints.MapMetrics(EndpointPaths.Metrics, endpoints.ServiceProvider.GetRequiredService<BackchannelMetrics>().Registry);

        if (endpoints.ServiceProvider.GetRequiredService<IOptions<BackchannelOptions>>().Value.Demo.Applied)
        {
            endpoints.MapPost(DemoData.NotificationSinkPath, DemoNotificationSinkEndpoint.HandleAsync);
        }

        return endpoints;
    }
}
