using Backchannel.Admin;
using Backchannel.Protocol;
using Microsoft.AspNetCore.Http;

namespace Backchannel.Endpoints.Admin;

/// <summary>GET /admin/clients: the clients, by client_id, a page at a time.</summary>
internal static class ListClientsEndpoint
{
    public static async Task HandleAsync(HttpContext context, AdminCaller caller)
    {
        var paging = AdminHttp.Paging(context);
        if (!paging.Succeeded)
        {
            await ProtocolHttp.WriteErrorAsync(context, paging.Error);
            return;
        }

        var page = await AdminHttp.Service<ClientAdministration>(context).ListAsync(paging.Value.After, paging.Value.Limit, context.RequestAborted);
        await AdminHttp.WritePageAsync(context, page, AdminJsonContext.Default.AdminPageJsonObject);
    }
}
