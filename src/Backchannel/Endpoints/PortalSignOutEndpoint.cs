using Backchannel.Channels.Portal;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Backchannel.Endpoints;

/// <summary>POST /device/signout: ends the portal session (with an anti-forgery token), then shows the sign-in form.</summary>
internal static class PortalSignOutEndpoint
{
    public static async Task HandleAsync(HttpContext context)
    {
        await PortalHttp.SignedInAsync(context);
        if (await PortalHttp.ReadCheckedFormAsync(context) is not { } form)
        {
            return;
        }

        await context.SignOutAsync(PortalSession.Scheme);
        var paths = context.RequestServices.GetRequiredService<PortalPaths>();
        PortalHttp.Redirect(context, paths.IsLocal(form["returnUrl"]) ? paths.SignInReturningTo(form["returnUrl"]!) : paths.SignIn);
    }
}
