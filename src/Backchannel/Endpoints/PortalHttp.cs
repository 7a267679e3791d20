using System.Security.Claims;
using Backchannel.Channels.Portal;
using Backchannel.Protocol;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Backchannel.Endpoints;

/// <summary>
/// What the portal's endpoints and the e-mail page share: the signed-in user, anti-forgery checks, bounded forms, and
/// HTML answers with a strict Content-Security-Policy (only the portal's own script and style; no inline script, no
/// framing, forms post to this site only) and no caching.
/// </summary>
internal static class PortalHttp
{
    public const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; " +
        "frame-ancestors 'none'; base-uri 'none'";

    /// <summary>The user signed in to the portal (also made the request's user, as anti-forgery tokens are bound to it), or null.</summary>
    public static async Task<ClaimsPrincipal?> SignedInAsync(HttpContext context)
    {
        var result = await context.AuthenticateAsync(PortalSession.Scheme);
        if (result.Succeeded && PortalSession.Subject(result.Principal) is not null)
        {
            context.User = result.Principal;
            return result.Principal;
        }

        return null;
    }

    public static string AntiforgeryToken(HttpContext context) =>
        context.RequestServices.GetRequiredService<IAntiforgery>().GetAndStoreTokens(context).RequestToken!;

    /// <summary>Reads the form (bounded) and checks its anti-forgery token; null, with the answer written, when either fails.</summary>
    public static async Task<RequestParameters?> ReadCheckedFormAsync(HttpContext context)
    {
        var form = await ProtocolHttp.ReadFormAsync(context, EndpointLimits.PortalForm);
        if (!form.Succeeded)
        {
            await WriteMessageAsync(context, StatusCodes.Status400BadRequest, "The form could not be read", form.Error.Description ?? "The form is not valid.");
            return null;
        }

        if (!await context.RequestServices.GetRequiredService<IAntiforgery>().IsRequestValidAsync(context))
        {
            await WriteMessageAsync(context, StatusCodes.Status400BadRequest, "The page has expired",
                "This form is no longer valid (it is too old, or it came from another site). Go back, reload the page and try again.");
            return null;
        }

        return form.Value;
    }

    /// <summary>
    /// The signed-in user and the checked form of a portal POST (<see cref="SignedInAsync"/>, <see cref="ReadCheckedFormAsync"/>);
    /// null, with the answer written, when nobody is signed in (sent to the sign-in, back to the portal after) or the form fails.
    /// </summary>
    public static async Task<(ClaimsPrincipal User, RequestParameters Form)?> SignedInFormAsync(HttpContext context)
    {
        if (await SignedInAsync(context) is not { } principal)
        {
            var paths = context.RequestServices.GetRequiredService<PortalPaths>();
            Redirect(context, paths.SignInReturningTo(paths.Portal));
            return null;
        }

        return await ReadCheckedFormAsync(context) is { } form ? (principal, form) : null;
    }

    /// <summary>The answer a decision form posts: <c>decision</c> = <c>approve</c> (true) or <c>deny</c> (false); null for anything else.</summary>
    public static bool? Answer(RequestParameters form) => form["decision"] switch
    {
        "approve" => true,
        "deny" => false,
        _ => null,
    };

    /// <summary>The address the request came from (rate limits per address).</summary>
    public static string ClientAddress(HttpContext context) => context.Connection.RemoteIpAddress?.ToString() ?? "unknown";

    /// <summary>The Development banner, if any.</summary>
    public static string? Banner(HttpContext context) => context.RequestServices.GetRequiredService<PortalBanner>().Text;

    public static Task WriteHtmlAsync(HttpContext context, string html, int status = StatusCodes.Status200OK)
    {
        var response = context.Response;
        response.StatusCode = status;
        response.ContentType = "text/html; charset=utf-8";
        SetSecurityHeaders(response);
        return response.WriteAsync(html, context.RequestAborted);
    }

    public static Task WriteMessageAsync(HttpContext context, int status, string title, string message) =>
        WriteHtmlAsync(context, context.RequestServices.GetRequiredService<PortalHtml>().MessagePage(title, message, Banner(context)), status);

    public static void Redirect(HttpContext context, string location)
    {
        SetSecurityHeaders(context.Response);
        context.Response.StatusCode = StatusCodes.Status303SeeOther;
        context.Response.Headers.Location = location;
    }

    public static void SetSecurityHeaders(HttpResponse response)
    {
        var headers = response.Headers;
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "no-referrer";
        headers["Cross-Origin-Opener-Policy"] = "same-origin";
        ProtocolHttp.SetNoStore(response);
    }
}
