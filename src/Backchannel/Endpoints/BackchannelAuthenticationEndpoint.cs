using Backchannel.Abstractions;
using Backchannel.Diagnostics;
using Backchannel.Protocol;
using Backchannel.Requests;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Backchannel.Endpoints;

/// <summary>POST /bc-authorize: the backchannel authentication endpoint (CIBA 7).</summary>
internal static class BackchannelAuthenticationEndpoint
{
    public static async Task HandleAsync(HttpContext context)
    {
        var metrics = context.RequestServices.GetRequiredService<BackchannelMetrics>();
        var request = await ClientRequestReader.ReadAsync(context, EndpointLimits.BackchannelAuthentication);
        if (!request.Succeeded)
        {
            await Fail(context, metrics, request.Error!, request.BasicChallenge);
            return;
        }

        // A proof here binds the request's tokens to its key; a push client that registered dpop_bound_access_tokens must send one.
        var client = request.Client!;
        var urls = context.RequestServices.GetRequiredService<ProviderUrls>();
        var dpop = await DpopHttp.ProvedKeyAsync(context, MtlsHttp.EndpointUrl(context, urls.BackchannelAuthenticationEndpoint, EndpointPaths.BackchannelAuthentication),
            client, required: client.DeliveryMode == DeliveryModes.Push);
        if (!dpop.Succeeded)
        {
            await Fail(context, metrics, dpop.Error);
            return;
        }

        var result = await context.RequestServices.GetRequiredService<BackchannelAuthenticationHandler>()
            .HandleAsync(request.Form!, client, dpop.Value, context.RequestAborted);
        if (!result.Succeeded)
        {
            await Fail(context, metrics, result.Error);
            return;
        }

        metrics.AuthenticationRequest("accepted");
        await ProtocolHttp.WriteJsonAsync(context, result.Value, ProtocolJsonContext.Default.BackchannelAuthenticationResponse);
    }

    private static Task Fail(HttpContext context, BackchannelMetrics metrics, ProtocolError error, bool basicChallenge = false)
    {
        metrics.AuthenticationRequest(error.Error);
        DpopHttp.AddNonceIfAsked(context, error);
        return ProtocolHttp.WriteErrorAsync(context, error, basicChallenge ? ProtocolHttp.BasicChallenge : null);
    }
}
