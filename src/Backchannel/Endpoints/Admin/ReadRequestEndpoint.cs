using Backchannel.Admin;
using Microsoft.AspNetCore.Http;

namespace Backchannel.Endpoints.Admin;

/// <summary>GET /admin/requests/{id}: one request, by its transaction id (never its auth_req_id, secrets or tokens).</summary>
internal static class ReadRequestEndpoint
{
    public static async Task HandleAsync(HttpContext context, AdminCaller caller)
    {
        var result = await AdminHttp.Service<RequestAdministration>(context).ReadAsync(AdminHttp.Route(context, "id"), context.RequestAborted);
        await AdminHttp.WriteAsync(context, result, AdminJsonContext.Default.AdminRequestView);
    }
}
