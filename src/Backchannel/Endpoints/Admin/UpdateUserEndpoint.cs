using Backchannel.Admin;
using Backchannel.Protocol;
using Microsoft.AspNetCore.Http;

namespace Backchannel.Endpoints.Admin;

/// <summary>PUT /admin/users/{sub}: replaces a user's profile (and its password or user_code where given); If-Match honoured.</summary>
internal static class UpdateUserEndpoint
{
    public static async Task HandleAsync(HttpContext context, AdminCaller caller)
    {
        var input = await AdminHttp.ReadJsonAsync(context, AdminJsonContext.Default.AdminUserInput);
        if (!input.Succeeded)
        {
            await ProtocolHttp.WriteErrorAsync(context, input.Error);
            return;
        }

        var result = await AdminHttp.Service<UserAdministration>(context)
            .UpdateAsync(AdminHttp.Route(context, "sub"), input.Value!, AdminHttp.IfMatch(context), context.RequestAborted);
        await AdminHttp.WriteTaggedAsync(context, result, AdminJsonContext.Default.AdminUserView);
    }
}
