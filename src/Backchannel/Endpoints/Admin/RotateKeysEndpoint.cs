using Backchannel.Admin;
using Microsoft.AspNetCore.Http;

namespace Backchannel.Endpoints.Admin;

/// <summary>POST /admin/keys/rotate: the published next signing keys start signing now (once, whichever node serves it).</summary>
internal static class RotateKeysEndpoint
{
    public static async Task HandleAsync(HttpContext context, AdminCaller caller)
    {
        var result = await AdminHttp.Service<KeyAdministration>(context).RotateAsync(context.RequestAborted);
        await AdminHttp.WriteAsync(context, result, AdminJsonContext.Default.AdminKeyRotationResult);
    }
}
