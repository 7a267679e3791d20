using Backchannel.Admin;
using Backchannel.Protocol;
using Microsoft.AspNetCore.Http;

namespace Backchannel.Endpoints.Admin;

/// <summary>GET /admin/users/{sub}/devices: the user's app devices, oldest first, as one page.</summary>
internal static class ListUserDevicesEndpoint
{
    public static async Task HandleAsync(HttpContext context, AdminCaller caller)
    {
        var result = await AdminHttp.Service<DeviceAdministration>(context).ListAsync(AdminHttp.Route(context, "sub"), context.RequestAborted);
        if (!result.Succeeded)
        {
            await ProtocolHttp.WriteErrorAsync(context, result.Error);
            return;
        }

        await AdminHttp.WritePageAsync(context, result.Value, AdminJsonContext.Default.AdminPageAdminDeviceView);
    }
}
