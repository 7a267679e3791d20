using Backchannel.Admin;
using Backchannel.Protocol;
using Microsoft.AspNetCore.Http;

namespace Backchannel.Endpoints.Admin;

/// <summary>POST /admin/users: adds a user to the built-in directory; 201.</summary>
internal static class CreateUserEndpoint
{
    public static async Task HandleAsync(HttpContext context, AdminCaller caller)
    {
        var input = await AdminHttp.ReadJsonAsync(context, AdminJsonContext.Default.AdminUserInput);
        if (!input.Succeeded)
        {
            await ProtocolHttp.WriteErrorAsync(context, input.Error);
            return;
        }

        var result = await AdminHttp.Service<UserAdministration>(context).CreateAsync(input.Value!, context.RequestAborted);
        await AdminHttp.WriteTaggedAsync(context, result, AdminJsonContext.Default.AdminUserView, StatusCodes.Status201Created,
            result.Succeeded ? AdminHttp.Url(context, "/users/" + Uri.EscapeDataString(result.Value.Value.Subject)) : null);
    }
}
