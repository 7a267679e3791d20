using Backchannel.Admin;
using Backchannel.Protocol;
using Microsoft.AspNetCore.Http;

namespace Backchannel.Endpoints.Admin;

/// <summary>GET /admin/keys: the signing keys (never their private material), by kid, a page at a time.</summary>
internal static class ListKeysEndpoint
{
    public static async Task HandleAsync(HttpContext context, AdminCaller caller)
    {
        var paging = AdminHttp.Paging(context);
        if (!paging.Succeeded)
        {
            await ProtocolHttp.WriteErrorAsync(context, paging.Error);
            return;
        }

        var page = await AdminHttp.Service<KeyAdministration>(context).ListAsync(paging.Value.After, paging.Value.Limit, context.RequestAborted);
        await AdminHttp.WritePageAsync(context, page, AdminJsonContext.Default.AdminPageAdminKeyView);
    }
}
