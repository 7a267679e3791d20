using Backchannel.Admin;
using Backchannel.Protocol;
using Microsoft.AspNetCore.Http;

namespace Backchannel.Endpoints.Admin;

/// <summary>POST /admin/requests/{id}/cancel (optional body <c>{"reason"}</c>): cancels a pending request; its client is answered access_denied.</summary>
internal static class CancelRequestEndpoint
{
    public static async Task HandleAsync(HttpContext context, AdminCaller caller)
    {
        var body = await AdminHttp.ReadJsonAsync(context, AdminJsonContext.Default.AdminCancellation, optional: true);
        if (!body.Succeeded)
        {
            await ProtocolHttp.WriteErrorAsync(context, body.Error);
            return;
        }

        var result = await AdminHttp.Service<RequestAdministration>(context)
            .CancelAsync(AdminHttp.Route(context, "id"), body.Value?.Reason, caller, context.RequestAborted);
        await AdminHttp.WriteAsync(context, result, AdminJsonContext.Default.AdminRequestView);
    }
}
