using Backchannel.Abstractions;
using Backchannel.Diagnostics;
using Backchannel.Grants;
using Backchannel.Protocol;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Backchannel.Endpoints;

/// <summary>POST /token: the CIBA grant, the refresh token grant and the client_credentials grant; a DPoP proof binds the access token (RFC 9449 5).</summary>
internal static class TokenEndpoint
{
    public static async Task HandleAsync(HttpContext context)
    {
        var metrics = context.RequestServices.GetRequiredService<BackchannelMetrics>();
        var request = await ClientRequestReader.ReadAsync(context, EndpointLimits.Token);
        var grantType = request.Form?[Parameters.GrantType];
        if (!request.Succeeded)
        {
            await Fail(context, metrics, grantType, request.Error!, request.BasicChallenge);
            return;
        }

        var urls = context.RequestServices.GetRequiredService<ProviderUrls>();
        var dpop = await DpopHttp.ProvedKeyAsync(context, urls.TokenEndpoint, request.Client!, required: true);
        if (!dpop.Succeeded)
        {
            await Fail(context, metrics, grantType, dpop.Error);
            return;
        }

        var result = await context.RequestServices.GetRequiredService<TokenRequestHandler>()
            .HandleAsync(request.Form!, request.Client!, dpop.Value, context.RequestAborted);
        if (!result.Succeeded)
        {
            await Fail(context, metrics, grantType, result.Error);
            return;
        }

        metrics.TokenResponse(GrantLabel(grantType), "issued");
        await ProtocolHttp.WriteJsonAsync(context, result.Value.ToResponse(), ProtocolJsonContext.Default.TokenResponse);
    }

    private static Task Fail(HttpContext context, BackchannelMetrics metrics, string? grantType, ProtocolError error, bool basicChallenge = false)
    {
        metrics.TokenResponse(GrantLabel(grantType), error.Error);
        DpopHttp.AddNonceIfAsked(context, error);
        return ProtocolHttp.WriteErrorAsync(context, error, basicChallenge ? ProtocolHttp.BasicChallenge : null);
    }

    private static string GrantLabel(string? grantType) => grantType switch
    {
        GrantTypes.Ciba => "ciba",
        GrantTypes.RefreshToken => "refresh_token",
        GrantTypes.ClientCredentials => "client_credentials",
        _ => "other",
    };
}
