using Backchannel.Clients;
using Backchannel.Diagnostics;
using Backchannel.Handlers;
using Backchannel.Json;
using Backchannel.Protocol;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Backchannel.Endpoints;

/// <summary>POST /bc-authorize: the backchannel authentication endpoint (CIBA 7).</summary>
internal static class BackchannelAuthenticationEndpoint
{
    public static async Task HandleAsync(HttpContext context)
    {
        var services = context.RequestServices;
        var metrics = services.GetRequiredService<BackchannelMetrics>();

        var form = await ProtocolHttp.ReadFormAsync(context);
        if (!form.Succeeded)
        {
            await Fail(context, metrics, form.Error);
            return;
        }

        var credentials = ClientCredentials.Read(context.Request.Headers.Authorization, form.Value);
        if (!credentials.Succeeded)
        {
            await Fail(context, metrics, credentials.Error);
            return;
        }

        var client = await services.GetRequiredService<ClientAuthenticator>().AuthenticateAsync(credentials.Value, context.RequestAborted);
        if (!client.Succeeded)
        {
            await Fail(context, metrics, client.Error, credentials.Value.Method == ClientAuthenticationMethods.ClientSecretBasic);
            return;
        }

        var result = await services.GetRequiredService<BackchannelAuthenticationHandler>().HandleAsync(form.Value, client.Value, context.RequestAborted);
        if (!result.Succeeded)
        {
            await Fail(context, metrics, result.Error);
            return;
        }

        metrics.AuthenticationRequest("accepted");
        await ProtocolHttp.WriteJsonAsync(context, result.Value, BackchannelJsonContext.Default.BackchannelAuthenticationResponse);
    }

    private static Task Fail(HttpContext context, BackchannelMetrics metrics, ProtocolError error, bool basicChallenge = false)
    {
        metrics.AuthenticationRequest(error.Error);
        return ProtocolHttp.WriteErrorAsync(context, error, basicChallenge);
    }
}
