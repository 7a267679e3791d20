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
    IOptions<DpopOptions> dpop, IOptions<MtlsOptions> mtls)
{
    public byte[] Json { get; } = JsonSerializer.SerializeToUtf8Bytes(Build(urls, ciba.Value, keys.Value, registration.Value, dpop.Value, mtls.Value),
        ProtocolJsonContext.Default.DiscoveryDocument);

    public static DiscoveryDocument Build(ProviderUrls urls, CibaOptions ciba, KeyOptions keys, RegistrationOptions registration, DpopOptions dpop,
        MtlsOptions mtls) => new()
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
        TokenEndpointAuthMethodsSupported = ClientAuthenticationMethods.Offered(mtls.Enabled),
        TokenEndpointAuthSigningAlgValuesSupported = SigningAlgorithms.Asymmetric,
        ClaimsSupported = [.. UserClaims.Supported, "iss", "aud", "exp", "iat", "auth_time", "acr", "amr"],
        RequestParameterSupported = true,
        BackchannelTokenDeliveryModesSupported = ciba.EffectiveDeliveryModes,
        BackchannelAuthenticationRequestSigningAlgValuesSupported = ciba.EffectiveRequestSigningAlgorithms,
        BackchannelUserCodeParameterSupported = ciba.UserCodeSupported,
        TlsClientCertificateBoundAccessTokens = mtls.Enabled,
        MtlsEndpointAliases = mtls.Enabled ? MtlsEndpointAliases(mtls, registration) : null,

        // Revocation and introspection authenticate clients as the token endpoint does.
        RevocationEndpoint = urls.RevocationEndpoint,
        RevocationEndpointAuthMethodsSupported = ClientAuthenticationMethods.Offered(mtls.Enabled),
        RevocationEndpointAuthSigningAlgValuesSupported = SigningAlgorithms.Asymmetric,
        IntrospectionEndpoint = urls.IntrospectionEndpoint,
        IntrospectionEndpointAuthMethodsSupported = ClientAuthenticationMethods.Offered(mtls.Enabled),
        IntrospectionEndpointAuthSigningAlgValuesSupported = SigningAlgorithms.Asymmetric,
        DpopSigningAlgValuesSupported = dpop.Enabled ? dpop.EffectiveSigningAlgorithms : null,
    };

    /// <summary>RFC 8705 5: the endpoints where clients authenticate with, or present, their certificates.</summary>
    private static Dictionary<string, string> MtlsEndpointAliases(MtlsOptions mtls, RegistrationOptions registration)
    {
        var aliases = new Dictionary<string, string>
        {
            ["token_endpoint"] = mtls.Alias(EndpointPaths.Token),
            ["backchannel_authentication_endpoint"] = mtls.Alias(EndpointPaths.BackchannelAuthentication),
            ["userinfo_endpoint"] = mtls.Alias(EndpointPaths.UserInfo),
            ["revocation_endpoint"] = mtls.Alias(EndpointPaths.Revocation),
            ["introspection_endpoint"] = mtls.Alias(EndpointPaths.Introspection),
        };
        if (registration.Enabled)
        {
            aliases["registration_endpoint"] = mtls.Alias(EndpointPaths.Registration);
        }

        return aliases;
    }
}
