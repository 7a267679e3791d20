using Backchannel.Admin;
using Backchannel.Protocol;
using Microsoft.AspNetCore.Http;

namespace Backchannel.Endpoints.Admin;

/// <summary>POST /admin/clients: registers a client (RFC 7591 metadata); 201 with its secret, this once.</summary>
internal static class CreateClientEndpoint
{
    public static async Task HandleAsync(HttpContext context, AdminCaller caller)
    {
        var metadata = await AdminHttp.ReadJsonAsync(context, ProtocolJsonContext.Default.ClientMetadata);
        if (!metadata.Succeeded)
        {
            await ProtocolHttp.WriteErrorAsync(context, metadata.Error);
            return;
        }

        var result = await AdminHttp.Service<ClientAdministration>(context).CreateAsync(metadata.Value!, context.RequestAborted);
        await AdminHttp.WriteTaggedAsync(context, result, AdminJsonContext.Default.JsonObject, StatusCodes.Status201Created,
            result.Succeeded ? AdminHttp.Url(context, "/clients/" + Uri.EscapeDataString(result.Value.Value["client_id"]!.GetValue<string>())) : null);
    }
}
