using System.Text.Json;
using Backchannel.Channels.App;
using Backchannel.Protocol;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Backchannel.Endpoints;

/// <summary>
/// POST /ciba/devices: registers a device of the user (JSON: <c>jwk</c>, <c>name</c>, optional <c>push_token</c>, and
/// <c>id_token_hint</c> unless a signed-in session names the user). 201 with the device (and its URL as Location); 200
/// when the key was registered before (its name and push token replaced).
/// </summary>
internal static class AppDeviceRegistrationEndpoint
{
    public static async Task HandleAsync(HttpContext context)
    {
        if (!ProtocolHttp.IsMediaType(context.Request.ContentType, "application/json"))
        {
            await ProtocolHttp.WriteErrorAsync(context, ProtocolError.InvalidRequest("The request body must be application/json."));
            return;
        }

        if (ProtocolHttp.LimitBody(context, EndpointLimits.DeviceRegistration) is { } tooLarge)
        {
            await ProtocolHttp.WriteErrorAsync(context, tooLarge);
            return;
        }

        AppDeviceRegistrationBody? body;
        try
        {
            body = await JsonSerializer.DeserializeAsync(context.Request.Body, AppJsonContext.Default.AppDeviceRegistrationBody, context.RequestAborted);
        }
        catch (JsonException)
        {
            body = null;
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            await ProtocolHttp.WriteErrorAsync(context, ProtocolHttp.TooLarge(EndpointLimits.DeviceRegistration));
            return;
        }

        if (body is null)
        {
            await ProtocolHttp.WriteErrorAsync(context, ProtocolError.InvalidRequest(
                "The body must be a JSON object: {jwk: the device's ES256 public key, name, push_token (optional), id_token_hint}."));
            return;
        }

        if (await DeviceOwnerHttp.SubjectOrRefuseAsync(context, body.IdTokenHint) is not { } subject)
        {
            return;
        }

        var registered = await context.RequestServices.GetRequiredService<AppDeviceService>()
            .RegisterAsync(subject, body.Jwk, body.Name, body.PushToken, context.RequestAborted);
        if (!registered.Succeeded)
        {
            await ProtocolHttp.WriteErrorAsync(context, registered.Error);
            return;
        }

        if (registered.Value.Created)
        {
            context.Response.StatusCode = StatusCodes.Status201Created;
            context.Response.Headers.Location = context.RequestServices.GetRequiredService<Abstractions.ProviderUrls>()
                .Endpoint(AppDevicePaths.Device(registered.Value.Device.DeviceId));
        }

        await ProtocolHttp.WriteJsonAsync(context, registered.Value.Device, AppJsonContext.Default.AppDeviceView);
    }
}
