using Backchannel.Admin;
using Backchannel.Protocol;
using Microsoft.AspNetCore.Http;

namespace Backchannel.Endpoints.Admin;

/// <summary>DELETE /admin/users/{sub}/devices/{device_id}: removes the user's device (audited); 204, or 404 when the user has no such device.</summary>
internal static class RemoveUserDeviceEndpoint
{
    public static async Task HandleAsync(HttpContext context, AdminCaller caller)
    {
        var result = await AdminHttp.Service<DeviceAdministration>(context).RemoveAsync(AdminHttp.Route(context, "sub"),
            AdminHttp.Route(context, "device_id"), caller, context.RequestAborted);
        if (!result.Succeeded)
        {
            await ProtocolHttp.WriteErrorAsync(context, result.Error);
            return;
        }

        context.Response.StatusCode = StatusCodes.Status204NoContent;
        ProtocolHttp.SetNoStore(context.Response);
    }
}
