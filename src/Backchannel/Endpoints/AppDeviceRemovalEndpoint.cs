using Backchannel.Channels.App;
using Backchannel.Diagnostics;
using Backchannel.Protocol;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Backchannel.Endpoints;

/// <summary>DELETE /ciba/devices/{id}: the user removes a device of theirs (authenticated as for the list). 204; 404 when the user has no such device.</summary>
internal static class AppDeviceRemovalEndpoint
{
    public static async Task HandleAsync(HttpContext context)
    {
        if (await DeviceOwnerHttp.SubjectOrRefuseAsync(context, null) is not { } subject)
        {
            return;
        }

        var deviceId = AppDeviceHttp.DeviceId(context);
        if (!await context.RequestServices.GetRequiredService<AppDeviceService>().RemoveAsync(subject, deviceId, context.RequestAborted))
        {
            await ProtocolHttp.WriteErrorAsync(context, new ProtocolError(AppDeviceHttp.NotFound, "The user has no device with this id.", 404));
            return;
        }

        context.RequestServices.GetRequiredService<AuditLog>().DeviceRemoved(deviceId, subject, AuditLog.ByUser);
        context.Response.StatusCode = StatusCodes.Status204NoContent;
    }
}
