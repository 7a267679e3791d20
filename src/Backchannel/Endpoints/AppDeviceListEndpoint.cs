using Backchannel.Channels.App;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Backchannel.Endpoints;

/// <summary>GET /ciba/devices: the user's devices (the user named by <c>Authorization: Bearer</c> an ID token, or a signed-in session).</summary>
internal static class AppDeviceListEndpoint
{
    public static async Task HandleAsync(HttpContext context)
    {
        if (await DeviceOwnerHttp.SubjectOrRefuseAsync(context, null) is not { } subject)
        {
            return;
        }

        var devices = await context.RequestServices.GetRequiredService<AppDeviceService>().ListAsync(subject, context.RequestAborted);
        await ProtocolHttp.WriteJsonAsync(context, new AppDeviceList(devices), AppJsonContext.Default.AppDeviceList);
    }
}
