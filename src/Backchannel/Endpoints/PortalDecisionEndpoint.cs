using Backchannel.Channels.Portal;
using Backchannel.Domain;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Backchannel.Endpoints;

/// <summary>POST /device/requests/{id}: the signed-in user approves or denies one of their portal requests (anti-forgery checked).</summary>
internal static class PortalDecisionEndpoint
{
    private const int MaxIdLength = 64;

    public static async Task HandleAsync(HttpContext context)
    {
        var paths = context.RequestServices.GetRequiredService<PortalPaths>();
        if (await PortalHttp.SignedInAsync(context) is not { } principal)
        {
            PortalHttp.Redirect(context, paths.SignInReturningTo(paths.Portal));
            return;
        }

        if (await PortalHttp.ReadCheckedFormAsync(context) is not { } form)
        {
            return;
        }

        var id = context.Request.RouteValues["id"] as string;
        var approved = PortalHttp.Answer(form);
        if (id is not { Length: > 0 and <= MaxIdLength } || approved is null)
        {
            await PortalHttp.WriteMessageAsync(context, StatusCodes.Status400BadRequest, "Not an answer", "Choose Approve or Deny on a request of yours.");
            return;
        }

        var outcome = await context.RequestServices.GetRequiredService<PortalRequests>()
            .DecideAsync(PortalSession.Subject(principal)!, id, approved.Value, context.RequestAborted);
        var answer = outcome switch
        {
            DecisionOutcome.Decided => approved.Value ? "approved" : "denied",
            DecisionOutcome.AlreadyDecided => "already",
            DecisionOutcome.Expired => "expired",
            _ => "unknown",
        };
        PortalHttp.Redirect(context, paths.Portal + "?answer=" + answer);
    }
}
