using System.Text.Json;
using Backchannel.Abstractions;
using Backchannel.Keys;
using Backchannel.Protocol;
using Backchannel.Security;
using Backchannel.Users;
using Microsoft.Extensions.Options;

namespace Backchannel.Endpoints;

/// <summary>The discovery document, built from the settings and serialized once.</summary>
internal sealed class DiscoveryDocumentCache(ProviderUrls urls, IOptions<CibaOptions> ciba, IOptions<KeyOptions> keys, IOptions<DpopOptions> dpop)
{
    public byte[] Json { get; } = JsonSerializer.SerializeToUtf8Bytes(Build(urls, ciba.Value, keys.Value, dpop.Value), ProtocolJsonContext.Default.DiscoveryDocument);

    public static DiscoveryDocument Build(ProviderUrls urls, CibaOptions ciba, KeyOptions keys, DpopOptions dpop) => new()
    {
        Issuer = urls.Issuer,
        BackchannelAuthenticationEndpoint = urls.BackchannelAuthenticationEndpoint,
        TokenEndpoint = urls.TokenEndpoint,
        JwksUri = urls.Endpoint(EndpointPaths.Jwks),
        UserInfoEndpoint = urls.Endpoint(EndpointPaths.UserInfo),
        ScopesSupported = ciba.EffectiveScopes,
        ResponseTypesSupported = [],
        GrantTypesSupported = GrantTypes.Supported,
        SubjectTypesSupported = ["public"],

        // The default first; clients may ask for another with id_token_signed_response_alg.
        IdTokenSigningAlgValuesSupported = [keys.SigningAlgorithm, .. keys.AvailableTokenAlgorithms.Where(a => a != keys.SigningAlgorithm)],
        TokenEndpointAuthMethodsSupported = ClientAuthenticationMethods.Supported,
        TokenEndpointAuthSigningAlgValuesSupported = SigningAlgorithms.Asymmetric,
        ClaimsSupported = [.. UserClaims.Supported, "iss", "aud", "exp", "iat", "auth_time", "acr", "amr"],
        RequestParameterSupported = true,
        BackchannelTokenDeliveryModesSupported = ciba.EffectiveDeliveryModes,
        BackchannelAuthenticationRequestSigningAlgValuesSupported = ciba.EffectiveRequestSigningAlgorithms,
        BackchannelUserCodeParameterSupported = ciba.UserCodeSupported,
        TlsClientCertificateBoundAccessTokens = false,
        DpopSigningAlgValuesSupported = dpop.Enabled ? dpop.EffectiveSigningAlgorithms : null,
    };
}
