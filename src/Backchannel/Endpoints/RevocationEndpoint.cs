using Backchannel.Tokens;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Backchannel.Endpoints;

/// <summary>POST /revoke: token revocation (RFC 7009). 200 with an empty body whether or not anything was revoked.</summary>
internal static class RevocationEndpoint
{
    public static async Task HandleAsync(HttpContext context)
    {
        var request = await ClientRequestReader.ReadAsync(context, EndpointLimits.Revocation);
        if (!request.Succeeded)
        {
            await ProtocolHttp.WriteErrorAsync(context, request.Error!, request.BasicChallenge ? ProtocolHttp.BasicChallenge : null);
            return;
        }

        var result = await context.RequestServices.GetRequiredService<TokenRevocationHandler>()
            .HandleAsync(request.Form!, request.Client!, context.RequestAborted);
        if (!result.Succeeded)
        {
            await ProtocolHttp.WriteErrorAsync(context, result.Error);
            return;
        }

        ProtocolHttp.SetNoStore(context.Response);
        context.Response.StatusCode = StatusCodes.Status200OK;
    }
}
