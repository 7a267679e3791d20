using System.Text.Json.Serialization;

namespace Backchannel.Protocol;

/// <summary>The OpenID Provider metadata served at /.well-known/openid-configuration.</summary>
public sealed record DiscoveryDocument
{
    [JsonPropertyName("issuer")] public required string Issuer { get; init; }
    [JsonPropertyName("backchannel_authentication_endpoint")] public required string BackchannelAuthenticationEndpoint { get; init; }
    [JsonPropertyName("token_endpoint")] public required string TokenEndpoint { get; init; }
    [JsonPropertyName("jwks_uri")] public required string JwksUri { get; init; }
    [JsonPropertyName("userinfo_endpoint")] public required string UserInfoEndpoint { get; init; }
    [JsonPropertyName("registration_endpoint")] public string? RegistrationEndpoint { get; init; }
    [JsonPropertyName("scopes_supported")] public required IReadOnlyList<string> ScopesSupported { get; init; }
    [JsonPropertyName("response_types_supported")] public required IReadOnlyList<string> ResponseTypesSupported { get; init; }
    [JsonPropertyName("grant_types_supported")] public required IReadOnlyList<string> GrantTypesSupported { get; init; }
    [JsonPropertyName("subject_types_supported")] public required IReadOnlyList<string> SubjectTypesSupported { get; init; }
    [JsonPropertyName("id_token_signing_alg_values_supported")] public required IReadOnlyList<string> IdTokenSigningAlgValuesSupported { get; init; }
    [JsonPropertyName("token_endpoint_auth_methods_supported")] public required IReadOnlyList<string> TokenEndpointAuthMethodsSupported { get; init; }
    [JsonPropertyName("token_endpoint_auth_signing_alg_values_supported")] public required IReadOnlyList<string> TokenEndpointAuthSigningAlgValuesSupported { get; init; }
    [JsonPropertyName("claims_supported")] public required IReadOnlyList<string> ClaimsSupported { get; init; }
    [JsonPropertyName("claims_parameter_supported")] public bool ClaimsParameterSupported { get; init; }
    [JsonPropertyName("request_parameter_supported")] public bool RequestParameterSupported { get; init; }
    [JsonPropertyName("backchannel_token_delivery_modes_supported")] public required IReadOnlyList<string> BackchannelTokenDeliveryModesSupported { get; init; }
    [JsonPropertyName("backchannel_authentication_request_signing_alg_values_supported")] public required IReadOnlyList<string> BackchannelAuthenticationRequestSigningAlgValuesSupported { get; init; }
    [JsonPropertyName("backchannel_user_code_parameter_supported")] public bool BackchannelUserCodeParameterSupported { get; init; }
    [JsonPropertyName("backchannel_endpoint_login_hint_token_types_supported")] public IReadOnlyList<string>? BackchannelEndpointLoginHintTokenTypesSupported { get; init; }
    [JsonPropertyName("tls_client_certificate_bound_access_tokens")] public bool TlsClientCertificateBoundAccessTokens { get; init; }
    [JsonPropertyName("mtls_endpoint_aliases")] public IReadOnlyDictionary<string, string>? MtlsEndpointAliases { get; init; }
    [JsonPropertyName("dpop_signing_alg_values_supported")] public IReadOnlyList<string>? DpopSigningAlgValuesSupported { get; init; }
    [JsonPropertyName("authorization_details_types_supported")] public IReadOnlyList<string>? AuthorizationDetailsTypesSupported { get; init; }

    // Token revocation (RFC 7009) and introspection (RFC 7662; RFC 8414 section 2 names their metadata).
    [JsonPropertyName("revocation_endpoint")] public string? RevocationEndpoint { get; init; }
    [JsonPropertyName("revocation_endpoint_auth_methods_supported")] public IReadOnlyList<string>? RevocationEndpointAuthMethodsSupported { get; init; }
    [JsonPropertyName("revocation_endpoint_auth_signing_alg_values_supported")] public IReadOnlyList<string>? RevocationEndpointAuthSigningAlgValuesSupported { get; init; }
    [JsonPropertyName("introspection_endpoint")] public string? IntrospectionEndpoint { get; init; }
    [JsonPropertyName("introspection_endpoint_auth_methods_supported")] public IReadOnlyList<string>? IntrospectionEndpointAuthMethodsSupported { get; init; }
    [JsonPropertyName("introspection_endpoint_auth_signing_alg_values_supported")] public IReadOnlyList<string>? IntrospectionEndpointAuthSigningAlgValuesSupported { get; init; }
}
