using System.Text;
using Backchannel.Channels.App;
using Backchannel.Domain;
using Backchannel.Protocol;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Backchannel.Endpoints;

/// <summary>
/// POST /ciba/devices/{id}/decisions: the body is a decision JWT the device signed with its key
/// (<see cref="DeviceJwts.DecisionType"/>; <c>Content-Type: application/jwt</c>). 204 the first time; 409
/// <c>already_decided</c> when the request was decided (through any channel); 400 <c>expired_token</c> when it expired;
/// 404 <c>not_found</c> when the device's user has no pending app request of that id; 401 <c>invalid_token</c> for a JWT
/// not signed by this device's key, not for this URL, too old, or replayed.
/// </summary>
internal static class AppDeviceDecisionEndpoint
{
    public static async Task HandleAsync(HttpContext context)
    {
        if (ProtocolHttp.LimitBody(context, EndpointLimits.DeviceDecision) is { } tooLarge)
        {
            await ProtocolHttp.WriteErrorAsync(context, tooLarge);
            return;
        }

        string jwt;
        try
        {
            using var reader = new StreamReader(context.Request.Body, Encoding.ASCII);
            jwt = (await reader.ReadToEndAsync(context.RequestAborted)).Trim();
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            await ProtocolHttp.WriteErrorAsync(context, ProtocolHttp.TooLarge(EndpointLimits.DeviceDecision));
            return;
        }

        var outcome = await context.RequestServices.GetRequiredService<DeviceDecisions>()
            .DecideAsync(AppDeviceHttp.DeviceId(context), jwt, context.RequestAborted);
        if (!outcome.Succeeded)
        {
            await AppDeviceHttp.WriteErrorAsync(context, outcome.Error);
            return;
        }

        switch (outcome.Value)
        {
            case DecisionOutcome.Decided:
                context.Response.StatusCode = StatusCodes.Status204NoContent;
                break;
            case DecisionOutcome.AlreadyDecided:
                await ProtocolHttp.WriteErrorAsync(context, new ProtocolError("already_decided", "The request was already decided.", 409));
                break;
            case DecisionOutcome.Expired:
                await ProtocolHttp.WriteErrorAsync(context, new ProtocolError(ErrorCodes.ExpiredToken, "The authentication request has expired."));
                break;
            default:
                await ProtocolHttp.WriteErrorAsync(context, new ProtocolError(AppDeviceHttp.NotFound,
                    "The device's user has no pending app request with this transaction_id.", 404));
                break;
        }
    }
}
