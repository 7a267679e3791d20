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

        if (grantType is GrantTypes.Ciba or GrantTypes.RefreshToken && SenderConstraintError(request.Client!, dpop.Value) is { } unconstrained)
        {
            await Fail(context, metrics, grantType, unconstrained);
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

    /// <summary>
    /// The user's access token must be sender-constrained as the client's profile and metadata say (FAPI-CIBA). A client
    /// registered for certificate-bound tokens gets none here: this provider has no mutual TLS to bind them with, and
    /// issues no token rather than a bearer one.
    /// </summary>
    private static ProtocolError? SenderConstraintError(Backchannel.Domain.Client client, string? dpopKeyThumbprint) =>
        FapiRules.CheckTokenRequest(client.FapiProfile, client.CertificateBoundAccessTokens, dpopKeyThumbprint is not null)
        ?? (client.CertificateBoundAccessTokens ? CertificateBindingUnavailable : null);

    private static readonly ProtocolError CertificateBindingUnavailable = ProtocolError.InvalidRequest(
        "The client registered tls_client_certificate_bound_access_tokens, but this provider cannot bind access tokens to a TLS client " +
        "certificate (mutual TLS is not available); it issues no token rather than an unbound one.");

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
