using Backchannel.Admin;
using Microsoft.AspNetCore.Http;

namespace Backchannel.Endpoints.Admin;

/// <summary>GET /admin/clients/{client_id}: one client's metadata (never its secret), with its ETag.</summary>
internal static class ReadClientEndpoint
{
    public static async Task HandleAsync(HttpContext context, AdminCaller caller)
    {
        var result = await AdminHttp.Service<ClientAdministration>(context).ReadAsync(AdminHttp.Route(context, "client_id"), context.RequestAborted);
        await AdminHttp.WriteTaggedAsync(context, result, AdminJsonContext.Default.JsonObject);
    }
}
