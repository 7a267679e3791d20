using Backchannel.Admin;
using Backchannel.Protocol;
using Microsoft.AspNetCore.Http;

namespace Backchannel.Endpoints.Admin;

/// <summary>GET /admin/users: the built-in directory's users (disabled ones too), by sub, a page at a time.</summary>
internal static class ListUsersEndpoint
{
    public static async Task HandleAsync(HttpContext context, AdminCaller caller)
    {
        var paging = AdminHttp.Paging(context);
        if (!paging.Succeeded)
        {
            await ProtocolHttp.WriteErrorAsync(context, paging.Error);
            return;
        }

        var page = await AdminHttp.Service<UserAdministration>(context).ListAsync(paging.Value.After, paging.Value.Limit, context.RequestAborted);
        await AdminHttp.WritePageAsync(context, page, AdminJsonContext.Default.AdminPageAdminUserView);
    }
}
