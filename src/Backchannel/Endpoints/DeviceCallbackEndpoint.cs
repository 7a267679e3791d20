using System.Text.Json;
using Backchannel.Channels.Http;
using Backchannel.Decisions;
using Backchannel.Domain;
using Backchannel.Protocol;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Backchannel.Endpoints;

/// <summary>
/// POST /ciba/callback: an external device service reports the user's decision with the callback token it was given
/// (the http channel's return path). 204 the first time, 409 when already decided, 400 expired_token, 401 for a bad token.
/// </summary>
internal static class DeviceCallbackEndpoint
{
    public static async Task HandleAsync(HttpContext context)
    {
        if (ProtocolHttp.BearerToken(context.Request) is not { Length: > 0 } bearer
            || await context.RequestServices.GetRequiredService<CallbackTokens>().ValidateAsync(bearer, context.RequestAborted) is not
                { TransactionId: { } transactionId } token)
        {
            var invalid = new ProtocolError(ErrorCodes.InvalidToken, "The callback token is missing or not valid.", 401);
            await ProtocolHttp.WriteErrorAsync(context, invalid, ProtocolHttp.BearerChallenge(invalid));
            return;
        }

        if (token.Expired)
        {
            await WriteExpiredAsync(context);
            return;
        }

        // The body is read as JSON whatever its Content-Type says: device services written with fetch() send a string
        // body as text/plain, and the callback token, not the media type, is what makes the request trusted.
        if (ProtocolHttp.LimitBody(context, EndpointLimits.DeviceCallback) is { } tooLarge)
        {
            await ProtocolHttp.WriteErrorAsync(context, tooLarge);
            return;
        }

        DeviceCallbackBody? body;
        try
        {
            body = await ReadBodyAsync(context);
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            await ProtocolHttp.WriteErrorAsync(context, ProtocolHttp.TooLarge(EndpointLimits.DeviceCallback));
            return;
        }

        if (body?.Status is not ("approved" or "denied") || body.Amr?.Any(string.IsNullOrEmpty) == true)
        {
            await ProtocolHttp.WriteErrorAsync(context, ProtocolError.InvalidRequest(
                "The body must be JSON: {status: approved or denied, acr: optional string, amr: optional array of strings}."));
            return;
        }

        var decision = new Decision(transactionId, body.Status == "approved", body.Acr, body.Amr, CallbackTokens.Evidence)
        {
            KnownDeliveryMode = token.DeliveryMode,
        };
        switch (await context.RequestServices.GetRequiredService<DecisionService>().DecideAsync(decision, context.RequestAborted))
        {
            case DecisionOutcome.Decided:
                context.RequestServices.GetRequiredService<CallbackTokens>().Forget(bearer);
                context.Response.StatusCode = StatusCodes.Status204NoContent;
                break;
            case DecisionOutcome.AlreadyDecided:
                await ProtocolHttp.WriteErrorAsync(context, new ProtocolError("already_decided", "The request was already decided.", 409));
                break;
            default:
                // Expired, or removed after its expiry.
                await WriteExpiredAsync(context);
                break;
        }
    }

    private static Task WriteExpiredAsync(HttpContext context) =>
        ProtocolHttp.WriteErrorAsync(context, new ProtocolError(ErrorCodes.ExpiredToken, "The authentication request has expired."));

    private static async Task<DeviceCallbackBody?> ReadBodyAsync(HttpContext context)
    {
        try
        {
            return await JsonSerializer.DeserializeAsync(context.Request.Body, ProtocolJsonContext.Default.DeviceCallbackBody, context.RequestAborted);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
