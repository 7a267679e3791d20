using Backchannel.Channels.App;
using Backchannel.Protocol;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Backchannel.Endpoints;

/// <summary>
/// POST /bc-deviceRegistration, Gluu's backchannel device registration: a form with <c>device_registration_token</c>
/// (here a JWT the device's new key signed, carrying that key, see <see cref="DeviceJwts.RegistrationType"/>) and
/// <c>id_token_hint</c> (the user's ID token). 200 on success, as Gluu answers, with the device as JSON; 400
/// <c>invalid_request</c> for a missing or refused token, 400 <c>unknown_user_id</c> for a missing or refused hint, as Gluu.
/// </summary>
internal static class GluuDeviceRegistrationEndpoint
{
    public const string DeviceRegistrationToken = "device_registration_token";

    public static async Task HandleAsync(HttpContext context)
    {
        var form = await ProtocolHttp.ReadFormAsync(context, EndpointLimits.DeviceRegistration);
        if (!form.Succeeded)
        {
            await ProtocolHttp.WriteErrorAsync(context, form.Error);
            return;
        }

        if (form.Value[DeviceRegistrationToken] is not { } token)
        {
            await ProtocolHttp.WriteErrorAsync(context, ProtocolError.InvalidRequest("The device registration token cannot be blank."));
            return;
        }

        if (form.Value[Parameters.IdTokenHint] is not { } hint)
        {
            await ProtocolHttp.WriteErrorAsync(context, new ProtocolError(ErrorCodes.UnknownUserId, "The id token hint cannot be blank."));
            return;
        }

        var owner = await context.RequestServices.GetRequiredService<DeviceOwnerAuthenticator>().AuthenticateAsync(hint, context.RequestAborted);
        if (!owner.Succeeded)
        {
            // Gluu answers unknown_user_id for an id_token_hint it cannot tie to a user.
            await ProtocolHttp.WriteErrorAsync(context, new ProtocolError(ErrorCodes.UnknownUserId, owner.Error.Description));
            return;
        }

        var registered = await context.RequestServices.GetRequiredService<AppDeviceService>().RegisterAsync(owner.Value, token, context.RequestAborted);
        if (!registered.Succeeded)
        {
            await ProtocolHttp.WriteErrorAsync(context, registered.Error);
            return;
        }

        await ProtocolHttp.WriteJsonAsync(context, registered.Value.Device, AppJsonContext.Default.AppDeviceView);
    }
}
