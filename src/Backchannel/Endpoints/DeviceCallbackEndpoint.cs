using System.Text.Json;
using Backchannel.Handlers;
using Backchannel.Json;
using Backchannel.Protocol;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Backchannel.Endpoints;

/// <summary>POST /ciba/callback: the external device service reports the user's decision.</summary>
internal static class DeviceCallbackEndpoint
{
    private const int MaxBodyBytes = 16 * 1024;

    public static async Task HandleAsync(HttpContext context)
    {
        var body = await ReadBodyAsync(context);
        var outcome = await context.RequestServices.GetRequiredService<DeviceCallbackHandler>()
            .HandleAsync(ProtocolHttp.BearerToken(context.Request), body, context.RequestAborted);

        switch (outcome)
        {
            case CallbackOutcome.Recorded:
                context.Response.StatusCode = StatusCodes.Status204NoContent;
                break;
            case CallbackOutcome.AlreadyDecided:
                await ProtocolHttp.WriteErrorAsync(context, new ProtocolError("already_decided", "The request was already decided.", 409));
                break;
            case CallbackOutcome.Expired:
                await ProtocolHttp.WriteErrorAsync(context, new ProtocolError(ErrorCodes.ExpiredToken, "The authentication request has expired."));
                break;
            case CallbackOutcome.InvalidBody:
                await ProtocolHttp.WriteErrorAsync(context, ProtocolError.InvalidRequest(
                    "The body must be JSON: {status: approved or denied, acr: optional string, amr: optional array of strings}."));
                break;
            default:
                await ProtocolHttp.WriteErrorAsync(context, new ProtocolError(ErrorCodes.InvalidToken, "The callback token is missing or not valid.", 401));
                break;
        }
    }

    private static async Task<DeviceCallbackBody?> ReadBodyAsync(HttpContext context)
    {
        if (context.Request.ContentLength > MaxBodyBytes)
        {
            return null;
        }

        try
        {
            return await JsonSerializer.DeserializeAsync(context.Request.Body, BackchannelJsonContext.Default.DeviceCallbackBody, context.RequestAborted);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
