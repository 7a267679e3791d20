using Backchannel.Admin;
using Microsoft.AspNetCore.Http;

namespace Backchannel.Endpoints.Admin;

/// <summary>GET /admin/users/{sub}: one user (never a password or user_code), with its ETag.</summary>
internal static class ReadUserEndpoint
{
    public static async Task HandleAsync(HttpContext context, AdminCaller caller)
    {
        var result = await AdminHttp.Service<UserAdministration>(context).ReadAsync(AdminHttp.Route(context, "sub"), context.RequestAborted);
        await AdminHttp.WriteTaggedAsync(context, result, AdminJsonContext.Default.AdminUserView);
    }
}
