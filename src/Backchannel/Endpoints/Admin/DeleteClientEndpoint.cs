using Backchannel.Admin;
using Backchannel.Protocol;
using Microsoft.AspNetCore.Http;

namespace Backchannel.Endpoints.Admin;

/// <summary>DELETE /admin/clients/{client_id}: removes a client; 204.</summary>
internal static class DeleteClientEndpoint
{
    public static async Task HandleAsync(HttpContext context, AdminCaller caller)
    {
        var result = await AdminHttp.Service<ClientAdministration>(context).DeleteAsync(AdminHttp.Route(context, "client_id"), context.RequestAborted);
        if (!result.Succeeded)
        {
            await ProtocolHttp.WriteErrorAsync(context, result.Error);
            return;
        }

        ProtocolHttp.SetNoStore(context.Response);
        context.Response.StatusCode = StatusCodes.Status204NoContent;
    }
}
