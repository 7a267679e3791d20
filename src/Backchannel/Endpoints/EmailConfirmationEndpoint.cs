using Backchannel.Channels.Email;
using Backchannel.Channels.Portal;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Backchannel.Endpoints;

/// <summary>
/// GET and POST /device/email/{token}: the page an e-mail links to. GET shows the request and never decides; the page
/// posts the answer (with an anti-forgery token), which the link's single use and, with
/// <c>Channels:Email:RequireSignIn</c>, the portal sign-in as the request's user guard.
/// </summary>
internal static class EmailConfirmationEndpoint
{
    public static async Task ShowAsync(HttpContext context)
    {
        var principal = await PortalHttp.SignedInAsync(context);
        var token = Token(context);
        var result = await context.RequestServices.GetRequiredService<EmailConfirmation>()
            .ReadAsync(token, PortalSession.Subject(principal), context.RequestAborted);
        await WritePageAsync(context, token, result);
    }

    public static async Task DecideAsync(HttpContext context)
    {
        var principal = await PortalHttp.SignedInAsync(context);
        if (await PortalHttp.ReadCheckedFormAsync(context) is not { } form)
        {
            return;
        }

        var token = Token(context);
        var approved = PortalHttp.Answer(form);
        if (approved is null)
        {
            await PortalHttp.WriteMessageAsync(context, StatusCodes.Status400BadRequest, "Not an answer", "Choose Approve or Deny.");
            return;
        }

        var result = await context.RequestServices.GetRequiredService<EmailConfirmation>()
            .DecideAsync(token, approved.Value, PortalSession.Subject(principal), context.RequestAborted);
        await WritePageAsync(context, token, result);
    }

    private static string Token(HttpContext context) => context.Request.RouteValues["token"] as string ?? string.Empty;

    private static Task WritePageAsync(HttpContext context, string token, EmailConfirmationResult result)
    {
        var status = result.State switch
        {
            EmailPageState.Pending or EmailPageState.Decided or EmailPageState.SignInRequired => StatusCodes.Status200OK,
            EmailPageState.WrongUser => StatusCodes.Status403Forbidden,
            EmailPageState.Invalid => StatusCodes.Status404NotFound,
            EmailPageState.Expired => StatusCodes.Status410Gone,
            _ => StatusCodes.Status409Conflict,
        };
        var antiforgery = result.State is EmailPageState.Pending or EmailPageState.WrongUser ? PortalHttp.AntiforgeryToken(context) : string.Empty;
        var html = context.RequestServices.GetRequiredService<PortalHtml>()
            .EmailPage(new EmailPageModel(result.State, token, antiforgery, result.Request, result.Approved, PortalHttp.Banner(context)));
        return PortalHttp.WriteHtmlAsync(context, html, status);
    }
}
