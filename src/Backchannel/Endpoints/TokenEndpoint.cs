using Backchannel.Clients;
using Backchannel.Diagnostics;
using Backchannel.Handlers;
using Backchannel.Json;
using Backchannel.Protocol;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Backchannel.Endpoints;

/// <summary>POST /token: the CIBA grant and the refresh token grant.</summary>
internal static class TokenEndpoint
{
    public static async Task HandleAsync(HttpContext context)
    {
        var services = context.RequestServices;
        var metrics = services.GetRequiredService<BackchannelMetrics>();

        var form = await ProtocolHttp.ReadFormAsync(context);
        if (!form.Succeeded)
        {
            await Fail(context, metrics, null, form.Error);
            return;
        }

        var grantType = form.Value[Parameters.GrantType];
        var credentials = ClientCredentials.Read(context.Request.Headers.Authorization, form.Value);
        if (!credentials.Succeeded)
        {
            await Fail(context, metrics, grantType, credentials.Error);
            return;
        }

        var client = await services.GetRequiredService<ClientAuthenticator>().AuthenticateAsync(credentials.Value, context.RequestAborted);
        if (!client.Succeeded)
        {
            await Fail(context, metrics, grantType, client.Error, credentials.Value.Method == ClientAuthenticationMethods.ClientSecretBasic);
            return;
        }

        var result = await services.GetRequiredService<TokenRequestHandler>().HandleAsync(form.Value, client.Value, context.RequestAborted);
        if (!result.Succeeded)
        {
            await Fail(context, metrics, grantType, result.Error);
            return;
        }

        metrics.TokenResponse(GrantLabel(grantType), "issued");
        await ProtocolHttp.WriteJsonAsync(context, result.Value, BackchannelJsonContext.Default.TokenResponse);
    }

    private static Task Fail(HttpContext context, BackchannelMetrics metrics, string? grantType, ProtocolError error, bool basicChallenge = false)
    {
        metrics.TokenResponse(GrantLabel(grantType), error.Error);
        return ProtocolHttp.WriteErrorAsync(context, error, basicChallenge);
    }

    private static string GrantLabel(string? grantType) => grantType switch
    {
        GrantTypes.Ciba => "ciba",
        GrantTypes.RefreshToken => "refresh_token",
        _ => "other",
    };
}
