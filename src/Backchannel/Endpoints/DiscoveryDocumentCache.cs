using System.Text.Json;
using Backchannel.Abstractions;
using Backchannel.Clients;
using Backchannel.Keys;
using Backchannel.Protocol;
using Backchannel.Security;
using Backchannel.Users;
using Microsoft.Extensions.Options;

namespace Backchannel.Endpoints;

/// <summary>The discovery document, built from the settings and serialized once.</summary>
internal sealed class DiscoveryDocumentCache(ProviderUrls urls, IOptions<CibaOptions> ciba, IOptions<KeyOptions> keys, IOptions<RegistrationOptions> registration,
    IOptions<DpopOptions> dpop)
{
    public byte[] Json { get; } = JsonSerializer.SerializeToUtf8Bytes(Build(urls, ciba.Value, keys.Value, registration.Value, dpop.Value),
        ProtocolJsonContext.Default.DiscoveryDocument);

    public static DiscoveryDocument Build(ProviderUrls urls, CibaOptions ciba, KeyOptions keys, RegistrationOptions registration, DpopOptions dpop) => new()
    {
        RegistrationEndpoint = registration.Enabled ? urls.Endpoint(EndpointPaths.Registration) : null,
        BackchannelEndpointLoginHintTokenTypesSupported = LoginHintTokenTypes.Supported,
        Issuer = urls.Issuer,
        BackchannelAuthenticationEndpoint = urls.BackchannelAuthenticationEndpoint,
        TokenEndpoint = urls.TokenEndpoint,
        JwksUri = urls.Endpoint(EndpointPaths.Jwks),
        UserInfoEndpoint = urls.Endpoint(EndpointPaths.UserInfo),
        ScopesSupported = ciba.EffectiveScopes,
        ResponseTypesSupported = [],
        GrantTypesSupported = GrantTypes.Supported,
        SubjectTypesSupported = SubjectTypes.Supported,

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

        // Revocation and introspection authenticate clients as the token endpoint does.
        RevocationEndpoint = urls.RevocationEndpoint,
        RevocationEndpointAuthMethodsSupported = ClientAuthenticationMethods.Supported,
        RevocationEndpointAuthSigningAlgValuesSupported = SigningAlgorithms.Asymmetric,
        IntrospectionEndpoint = urls.IntrospectionEndpoint,
        IntrospectionEndpointAuthMethodsSupported = ClientAuthenticationMethods.Supported,
        IntrospectionEndpointAuthSigningAlgValuesSupported = SigningAlgorithms.Asymmetric,
        DpopSigningAlgValuesSupported = dpop.Enabled ? dpop.EffectiveSigningAlgorithms : null,
    };
}
