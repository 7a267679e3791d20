using Backchannel.Admin;
using Microsoft.AspNetCore.Http;

namespace Backchannel.Endpoints.Admin;

/// <summary>POST /admin/users/{sub}/disable: the user becomes unknown to the protocol, its pending requests are cancelled; If-Match honoured.</summary>
internal static class DisableUserEndpoint
{
    public static async Task HandleAsync(HttpContext context, AdminCaller caller)
    {
        var result = await AdminHttp.Service<UserAdministration>(context)
            .DisableAsync(AdminHttp.Route(context, "sub"), AdminHttp.IfMatch(context), caller, context.RequestAborted);
        await AdminHttp.WriteAsync(context, result, AdminJsonContext.Default.AdminUserDisabled);
    }
}
