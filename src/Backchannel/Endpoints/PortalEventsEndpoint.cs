using Backchannel.Channels.Portal;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Backchannel.Endpoints;

/// <summary>
/// GET /device/events: Server-Sent Events for the signed-in user's open portal. Each event <c>requests</c> carries the
/// list of their pending portal requests as the page shows it (rendered and escaped here), sent at once and whenever
/// the list changes.
/// </summary>
internal static class PortalEventsEndpoint
{
    public static async Task HandleAsync(HttpContext context)
    {
        if (await PortalHttp.SignedInAsync(context) is not { } principal)
        {
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            return;
        }

        var html = context.RequestServices.GetRequiredService<PortalHtml>();
        var live = context.RequestServices.GetRequiredService<PortalLiveView>();
        var antiforgeryToken = PortalHttp.AntiforgeryToken(context);
        var response = context.Response;
        response.ContentType = ServerSentEvents.MediaType + "; charset=utf-8";
        PortalHttp.SetSecurityHeaders(response);
        await ServerSentEvents.StartAsync(context);
        try
        {
            await foreach (var requests in live.WatchAsync(PortalSession.Subject(principal)!, context.RequestAborted))
            {
                await response.WriteAsync(ServerSentEvents.Event("requests", html.RequestList(requests, antiforgeryToken)), context.RequestAborted);
                await response.Body.FlushAsync(context.RequestAborted);
            }
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The page was closed.
        }
    }
}
