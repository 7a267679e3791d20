using Backchannel.Channels.App;
using Backchannel.Channels.Portal;
using Backchannel.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Backchannel.Endpoints;

/// <summary>
/// POST /device/devices/{id}/remove: the signed-in user removes one of their app devices (anti-forgery checked); back
/// to the portal, which says whether it was removed. Another user's device, or none, is not removed.
/// </summary>
internal static class PortalDeviceRemovalEndpoint
{
    private const int MaxIdLength = 128;

    public static async Task HandleAsync(HttpContext context)
    {
        if (await PortalHttp.SignedInFormAsync(context) is not { } signedIn)
        {
            return;
        }

        var principal = signedIn.User;

        if (context.RequestServices.GetService<AppDeviceService>() is not { } devices)
        {
            await PortalHttp.WriteMessageAsync(context, StatusCodes.Status404NotFound, "No devices here", "The app channel is off: there are no devices to remove.");
            return;
        }

        var subject = PortalSession.Subject(principal)!;
        var id = context.Request.RouteValues["id"] as string;
        var removed = id is { Length: > 0 and <= MaxIdLength } && await devices.RemoveAsync(subject, id, context.RequestAborted);
        if (removed)
        {
            context.RequestServices.GetRequiredService<AuditLog>().DeviceRemoved(id!, subject, AuditLog.ByUser);
        }

        PortalHttp.Redirect(context, context.RequestServices.GetRequiredService<PortalPaths>().Portal + "?device=" + (removed ? "removed" : "unknown"));
    }
}
