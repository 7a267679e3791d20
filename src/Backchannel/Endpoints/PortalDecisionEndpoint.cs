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
        if (await PortalHttp.SignedInFormAsync(context) is not { } signedIn)
        {
            return;
        }

        var (principal, form) = signedIn;

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
        PortalHttp.Redirect(context, context.RequestServices.GetRequiredService<PortalPaths>().Portal + "?answer=" + answer);
    }
}
