using Backchannel.Protocol;
using Backchannel.Tokens;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Backchannel.Endpoints;

/// <summary>POST /introspect: token introspection (RFC 7662).</summary>
internal static class IntrospectionEndpoint
{
    public static async Task HandleAsync(HttpContext context)
    {
        var request = await ClientRequestReader.ReadAsync(context, EndpointLimits.Introspection);
        if (!request.Succeeded)
        {
            await ProtocolHttp.WriteErrorAsync(context, request.Error!, request.BasicChallenge ? ProtocolHttp.BasicChallenge : null);
            return;
        }

        var result = await context.RequestServices.GetRequiredService<TokenIntrospectionHandler>()
            .HandleAsync(request.Form!, request.Client!, context.RequestAborted);
        if (!result.Succeeded)
        {
            await ProtocolHttp.WriteErrorAsync(context, result.Error);
            return;
        }

        await ProtocolHttp.WriteJsonAsync(context, result.Value, ProtocolJsonContext.Default.IntrospectionResponse);
    }
}
