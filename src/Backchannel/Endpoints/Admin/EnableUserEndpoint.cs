using Backchannel.Admin;
using Microsoft.AspNetCore.Http;

namespace Backchannel.Endpoints.Admin;

/// <summary>POST /admin/users/{sub}/enable: a disabled user is known to the protocol again; If-Match honoured.</summary>
internal static class EnableUserEndpoint
{
    public static async Task HandleAsync(HttpContext context, AdminCaller caller)
    {
        var result = await AdminHttp.Service<UserAdministration>(context)
            .EnableAsync(AdminHttp.Route(context, "sub"), AdminHttp.IfMatch(context), context.RequestAborted);
        await AdminHttp.WriteTaggedAsync(context, result, AdminJsonContext.Default.AdminUserView);
    }
}
