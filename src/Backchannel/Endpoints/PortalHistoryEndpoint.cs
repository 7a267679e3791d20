using Backchannel.Channels.Portal;
using Backchannel.Protocol;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Net.Http.Headers;

namespace Backchannel.Endpoints;

/// <summary>
/// GET /device/history: the signed-in user's own audit history, newest first, a page at a time (<c>limit</c>,
/// <c>cursor</c>): an HTML page, or JSON (<c>{"items", "next"}</c>) when the request accepts application/json. Without
/// a session: a redirect to the sign-in (HTML) or 401 login_required (JSON).
/// </summary>
internal static class PortalHistoryEndpoint
{
    public const string LoginRequired = "login_required";

    public static async Task HandleAsync(HttpContext context)
    {
        var json = WantsJson(context.Request);
        var paths = context.RequestServices.GetRequiredService<PortalPaths>();
        if (await PortalHttp.SignedInAsync(context) is not { } principal)
        {
            if (json)
            {
                await ProtocolHttp.WriteErrorAsync(context, new ProtocolError(LoginRequired,
                    "Sign in to the portal first (" + paths.SignIn + "); the history is read with the portal's session.", StatusCodes.Status401Unauthorized));
            }
            else
            {
                PortalHttp.Redirect(context, paths.SignInReturningTo(paths.History));
            }

            return;
        }

        var query = context.Request.Query;
        if (query["cursor"].Count > 1 || query["limit"].Count > 1)
        {
            await RefuseAsync(context, json, ProtocolError.InvalidRequest("Give cursor and limit at most once each."));
            return;
        }

        var page = await context.RequestServices.GetRequiredService<PortalHistory>()
            .PageAsync(PortalSession.Subject(principal)!, query["cursor"].FirstOrDefault(), query["limit"].FirstOrDefault(), context.RequestAborted);
        if (!page.Succeeded)
        {
            await RefuseAsync(context, json, page.Error);
            return;
        }

        if (json)
        {
            var limit = query["limit"].Count == 0 ? (int?)null : page.Value.Limit;
            var next = page.Value.NextCursor is { } cursor ? paths.HistoryPageUrl(cursor, limit) : null;
            context.Response.Headers.XContentTypeOptions = "nosniff";
            await ProtocolHttp.WriteJsonAsync(context, new PortalHistoryJson(page.Value.Entries, next), PortalJsonContext.Default.PortalHistoryJson);
            return;
        }

        var html = context.RequestServices.GetRequiredService<PortalHtml>().HistoryPage(
            new HistoryPageModel(PortalSession.Name(principal), page.Value, Older: query["cursor"].Count > 0, PortalHttp.Banner(context)));
        await PortalHttp.WriteHtmlAsync(context, html);
    }

    /// <summary>Whether the caller asked for JSON (an Accept header naming application/json), rather than the page.</summary>
    private static bool WantsJson(HttpRequest request) =>
        MediaTypeHeaderValue.TryParseList(request.Headers.Accept, out var accepted)
        && accepted.Any(a => a.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase) && a.Quality is not 0);

    private static Task RefuseAsync(HttpContext context, bool json, ProtocolError error) =>
        json ? ProtocolHttp.WriteErrorAsync(context, error)
            : PortalHttp.WriteMessageAsync(context, StatusCodes.Status400BadRequest, "Not a page of your history", error.Description ?? "The link is not valid.");
}
