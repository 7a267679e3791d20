using Backchannel.Channels.App;
using Backchannel.Channels.Portal;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Backchannel.Endpoints;

/// <summary>
/// GET /device: the signed-in user's pending portal requests (kept current by /device/events), their app devices (when the
/// app channel is on) and a link to their history; the sign-in form otherwise.
/// </summary>
internal static class PortalPageEndpoint
{
    public static async Task HandleAsync(HttpContext context)
    {
        var paths = context.RequestServices.GetRequiredService<PortalPaths>();
        if (await PortalHttp.SignedInAsync(context) is not { } principal)
        {
            PortalHttp.Redirect(context, paths.SignInReturningTo(paths.Portal));
            return;
        }

        var requests = await context.RequestServices.GetRequiredService<PortalRequests>()
            .PendingAsync(PortalSession.Subject(principal)!, context.RequestAborted);
        var notice = context.Request.Query["answer"].ToString() switch
        {
            "approved" => "Your answer was recorded: approved.",
            "denied" => "Your answer was recorded: denied.",
            "already" => "That request was already answered.",
            "expired" => "That request has expired.",
            "unknown" => "That request is not one of yours, or it is gone.",
            _ => context.Request.Query["device"].ToString() switch
            {
                "removed" => "The device was removed: it can no longer read or answer your requests.",
                "unknown" => "That device is not one of yours, or it was removed before.",
                _ => null,
            },
        };
        var html = context.RequestServices.GetRequiredService<PortalHtml>().RequestsPage(new RequestsPageModel(PortalSession.Name(principal), requests,
            PortalHttp.AntiforgeryToken(context), paths.Events, notice, PortalHttp.Banner(context), await DevicesAsync(context, principal)));
        await PortalHttp.WriteHtmlAsync(context, html);
    }

    /// <summary>The user's app devices; null when the app channel is off.</summary>
    private static async Task<IReadOnlyList<PortalDeviceView>?> DevicesAsync(HttpContext context, System.Security.Claims.ClaimsPrincipal principal)
    {
        if (context.RequestServices.GetService<AppDeviceService>() is not { } devices)
        {
            return null;
        }

        return (await devices.ListAsync(PortalSession.Subject(principal)!, context.RequestAborted))
            .Select(d => new PortalDeviceView(d.DeviceId, d.Name, DateTimeOffset.FromUnixTimeSeconds(d.CreatedAt),
                DateTimeOffset.FromUnixTimeSeconds(d.UpdatedAt), d.Push))
            .ToList();
    }
}
