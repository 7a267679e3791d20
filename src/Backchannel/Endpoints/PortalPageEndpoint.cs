using Backchannel.Channels.Portal;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Backchannel.Endpoints;

/// <summary>GET /device: the signed-in user's pending portal requests (kept current by /device/events); the sign-in form otherwise.</summary>
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
            _ => null,
        };
        var html = context.RequestServices.GetRequiredService<PortalHtml>().RequestsPage(new RequestsPageModel(PortalSession.Name(principal), requests,
            PortalHttp.AntiforgeryToken(context), paths.Events, notice, PortalHttp.Banner(context)));
        await PortalHttp.WriteHtmlAsync(context, html);
    }
}
