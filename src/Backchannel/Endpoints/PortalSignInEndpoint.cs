using System.Globalization;
using Backchannel.Channels.Portal;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Backchannel.Endpoints;

/// <summary>GET and POST /device/signin: the portal's sign-in form (user name or e-mail address, and password).</summary>
internal static class PortalSignInEndpoint
{
    public static async Task ShowAsync(HttpContext context)
    {
        var paths = context.RequestServices.GetRequiredService<PortalPaths>();
        var returnUrl = ReturnUrl(paths, context.Request.Query["returnUrl"]);
        if (await PortalHttp.SignedInAsync(context) is not null)
        {
            PortalHttp.Redirect(context, returnUrl);
            return;
        }

        await WritePageAsync(context, new SignInPageModel(PortalHttp.AntiforgeryToken(context), returnUrl, Banner: PortalHttp.Banner(context)));
    }

    public static async Task SignInAsync(HttpContext context)
    {
        await PortalHttp.SignedInAsync(context);
        if (await PortalHttp.ReadCheckedFormAsync(context) is not { } form)
        {
            return;
        }

        var paths = context.RequestServices.GetRequiredService<PortalPaths>();
        var returnUrl = ReturnUrl(paths, form["returnUrl"]);
        var username = form["username"] ?? string.Empty;
        var result = await context.RequestServices.GetRequiredService<PortalSignIn>()
            .SignInAsync(username, form["password"] ?? string.Empty, PortalHttp.ClientAddress(context), context.RequestAborted);
        if (result is { Status: SignInStatus.SignedIn, User: { } user })
        {
            await context.SignInAsync(PortalSession.Scheme, PortalSession.Principal(user));
            PortalHttp.Redirect(context, returnUrl);
            return;
        }

        var time = context.RequestServices.GetRequiredService<TimeProvider>();
        var (status, error) = result.Status switch
        {
            SignInStatus.LockedOut => (StatusCodes.Status429TooManyRequests,
                $"Too many failed sign-ins: this account is locked until {result.RetryAt!.Value.UtcDateTime.ToString("HH:mm:ss", CultureInfo.InvariantCulture)} UTC."),
            SignInStatus.RateLimited => (StatusCodes.Status429TooManyRequests, "Too many sign-in attempts; wait a minute and try again."),
            _ => (StatusCodes.Status400BadRequest, "The user name or the password is not right."),
        };
        if (result.RetryAt is { } retryAt)
        {
            context.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling((retryAt - time.GetUtcNow()).TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        }

        await WritePageAsync(context, new SignInPageModel(PortalHttp.AntiforgeryToken(context), returnUrl, username.Length <= PortalSignIn.MaxUsernameLength ? username : null,
            error, PortalHttp.Banner(context)), status);
    }

    private static Task WritePageAsync(HttpContext context, SignInPageModel model, int status = StatusCodes.Status200OK) =>
        PortalHttp.WriteHtmlAsync(context, context.RequestServices.GetRequiredService<PortalHtml>().SignInPage(model), status);

    private static string ReturnUrl(PortalPaths paths, string? returnUrl) => paths.IsLocal(returnUrl) ? returnUrl! : paths.Portal;
}
