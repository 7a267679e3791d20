using Backchannel.Channels.Portal;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Backchannel.Endpoints;

/// <summary>
/// Maps the portal (when <c>Channels:Portal</c> is on) and the e-mail page (when <c>Channels:Email</c> is configured);
/// the sign-in, the sign-out and the portal's files serve both.
/// </summary>
internal static class PortalRoutes
{
    public static void Map(IEndpointRouteBuilder routes, bool portal, bool email, Func<RequestDelegate, RequestDelegate> guard)
    {
        if (!portal && !email)
        {
            return;
        }

        routes.MapGet(PortalPaths.SignInRoute, guard(PortalSignInEndpoint.ShowAsync));
        routes.MapPost(PortalPaths.SignInRoute, guard(PortalSignInEndpoint.SignInAsync));
        routes.MapPost(PortalPaths.SignOutRoute, guard(PortalSignOutEndpoint.HandleAsync));
        routes.MapGet(PortalPaths.AssetRoute, guard(PortalAssetEndpoint.HandleAsync));
        if (portal)
        {
            routes.MapGet(PortalPaths.Home, guard(PortalPageEndpoint.HandleAsync));
            routes.MapGet(PortalPaths.EventsRoute, guard(PortalEventsEndpoint.HandleAsync));
            routes.MapPost(PortalPaths.DecisionRoute, guard(PortalDecisionEndpoint.HandleAsync));
            routes.MapGet(PortalPaths.HistoryRoute, guard(PortalHistoryEndpoint.HandleAsync));
            routes.MapPost(PortalPaths.DeviceRemovalRoute, guard(PortalDeviceRemovalEndpoint.HandleAsync));
        }

        if (email)
        {
            routes.MapGet(PortalPaths.EmailRoute, guard(EmailConfirmationEndpoint.ShowAsync));
            routes.MapPost(PortalPaths.EmailRoute, guard(EmailConfirmationEndpoint.DecideAsync));
        }
    }
}
