using Backchannel.Admin;
using Backchannel.Protocol;
using Microsoft.AspNetCore.Http;

namespace Backchannel.Endpoints.Admin;

/// <summary>PUT /admin/clients/{client_id}: replaces a client's metadata; If-Match honoured (412 on a mismatch).</summary>
internal static class UpdateClientEndpoint
{
    public static async Task HandleAsync(HttpContext context, AdminCaller caller)
    {
        var metadata = await AdminHttp.ReadJsonAsync(context, ProtocolJsonContext.Default.ClientMetadata);
        if (!metadata.Succeeded)
        {
            await ProtocolHttp.WriteErrorAsync(context, metadata.Error);
            return;
        }

        var result = await AdminHttp.Service<ClientAdministration>(context)
            .UpdateAsync(AdminHttp.Route(context, "client_id"), metadata.Value!, AdminHttp.IfMatch(context), context.RequestAborted);
        await AdminHttp.WriteTaggedAsync(context, result, AdminJsonContext.Default.JsonObject);
    }
}
