using System.Text.Json.Serialization;
using Microsoft.Extensions.Configuration;

namespace Backchannel.Protocol;

/// <summary>
/// A client's registration in the RFC 7591 client-metadata vocabulary, with the CIBA metadata of CIBA Core 1.0
/// section 4. The same shape is read from configuration (<c>Backchannel:Clients</c>) and from dynamic registration.
/// </summary>
public sealed class ClientMetadata
{
    [ConfigurationKeyName("client_id"), JsonPropertyName("client_id")]
    public string? ClientId { get; set; }

    [ConfigurationKeyName("client_secret"), JsonPropertyName("client_secret")]
    public string? ClientSecret { get; set; }

    [ConfigurationKeyName("client_name"), JsonPropertyName("client_name")]
    public string? ClientName { get; set; }

    [ConfigurationKeyName("token_endpoint_auth_method"), JsonPropertyName("token_endpoint_auth_method")]
    public string? TokenEndpointAuthMethod { get; set; }

    /// <summary>
    /// A Backchannel extension: true makes only <see cref="TokenEndpointAuthMethod"/> authenticate the client. By default a
    /// client with a secret may send it either way (client_secret_basic or client_secret_post), as most providers allow.
    /// </summary>
    [ConfigurationKeyName("require_token_endpoint_auth_method"), JsonPropertyName("require_token_endpoint_auth_method")]
    public bool? RequireTokenEndpointAuthMethod { get; set; }

    [ConfigurationKeyName("token_endpoint_auth_signing_alg"), JsonPropertyName("token_endpoint_auth_signing_alg")]
    public string? TokenEndpointAuthSigningAlg { get; set; }

    /// <summary>Inline public keys: <c>{"keys": [...]}</c>.</summary>
    [ConfigurationKeyName("jwks"), JsonPropertyName("jwks")]
    public JwksDocument? Jwks { get; set; }

    [ConfigurationKeyName("jwks_uri"), JsonPropertyName("jwks_uri")]
    public string? JwksUri { get; set; }

    [ConfigurationKeyName("grant_types"), JsonPropertyName("grant_types")]
    public List<string>? GrantTypes { get; set; }

    /// <summary>The scopes the client may request, space-separated; empty allows any.</summary>
    [ConfigurationKeyName("scope"), JsonPropertyName("scope")]
    public string? Scope { get; set; }

    [ConfigurationKeyName("backchannel_token_delivery_mode"), JsonPropertyName("backchannel_token_delivery_mode")]
    public string? BackchannelTokenDeliveryMode { get; set; }

    [ConfigurationKeyName("backchannel_client_notification_endpoint"), JsonPropertyName("backchannel_client_notification_endpoint")]
    public string? BackchannelClientNotificationEndpoint { get; set; }

    [ConfigurationKeyName("backchannel_authentication_request_signing_alg"), JsonPropertyName("backchannel_authentication_request_signing_alg")]
    public string? BackchannelAuthenticationRequestSigningAlg { get; set; }

    [ConfigurationKeyName("backchannel_user_code_parameter"), JsonPropertyName("backchannel_user_code_parameter")]
    public bool? BackchannelUserCodeParameter { get; set; }

    [ConfigurationKeyName("id_token_signed_response_alg"), JsonPropertyName("id_token_signed_response_alg")]
    public string? IdTokenSignedResponseAlg { get; set; }

    // Mutual-TLS client authentication (RFC 8705 2.1.2): how a tls_client_auth client's certificate names it; exactly one.

    /// <summary>The certificate's subject distinguished name (RFC 4514 string, e.g. <c>CN=client,O=Bank,C=GB</c>).</summary>
    [ConfigurationKeyName("tls_client_auth_subject_dn"), JsonPropertyName("tls_client_auth_subject_dn")]
    public string? TlsClientAuthSubjectDn { get; set; }

    /// <summary>A dNSName subject alternative name of the certificate.</summary>
    [ConfigurationKeyName("tls_client_auth_san_dns"), JsonPropertyName("tls_client_auth_san_dns")]
    public string? TlsClientAuthSanDns { get; set; }

    /// <summary>A uniformResourceIdentifier subject alternative name of the certificate.</summary>
    [ConfigurationKeyName("tls_client_auth_san_uri"), JsonPropertyName("tls_client_auth_san_uri")]
    public string? TlsClientAuthSanUri { get; set; }

    /// <summary>An iPAddress subject alternative name of the certificate (IPv4 dotted or IPv6 text).</summary>
    [ConfigurationKeyName("tls_client_auth_san_ip"), JsonPropertyName("tls_client_auth_san_ip")]
    public string? TlsClientAuthSanIp { get; set; }

    /// <summary>An rfc822Name subject alternative name of the certificate.</summary>
    [ConfigurationKeyName("tls_client_auth_san_email"), JsonPropertyName("tls_client_auth_san_email")]
    public string? TlsClientAuthSanEmail { get; set; }

    /// <summary>RFC 8705 3.4: true binds the client's access tokens to the certificate of its mutual-TLS connection (cnf.x5t#S256).</summary>
    [ConfigurationKeyName("tls_client_certificate_bound_access_tokens"), JsonPropertyName("tls_client_certificate_bound_access_tokens")]
    public bool? TlsClientCertificateBoundAccessTokens { get; set; }

    /// <summary>
    /// A Backchannel extension: the FAPI-CIBA profile this client is held to (<c>None</c>, <c>Fapi1Ciba</c>, <c>Fapi2Ciba</c>),
    /// overriding the provider's <c>Fapi:Profile</c>; unset: the provider's.
    /// </summary>
    [ConfigurationKeyName("fapi_profile"), JsonPropertyName("fapi_profile")]
    public string? FapiProfile { get; set; }

    /// <summary>RFC 9449 5.2: true makes a DPoP proof mandatory at the token endpoint (and, for push, at the backchannel endpoint).</summary>
    [ConfigurationKeyName("dpop_bound_access_tokens"), JsonPropertyName("dpop_bound_access_tokens")]
    public bool? DpopBoundAccessTokens { get; set; }

    /// <summary>
    /// The authentication-device channels that may reach this client's users, in order of preference (a Backchannel
    /// extension); empty: any channel, chosen by the user's setting, <c>Channels:Rules</c> and <c>Channels:Default</c>.
    /// </summary>
    [ConfigurationKeyName("channels"), JsonPropertyName("channels")]
    public List<string>? Channels { get; set; }

    // RFC 7591 members a CIBA client has no use for: accepted (empty lists included) and echoed, never used.

    /// <summary>Redirection URIs: this provider has no authorization endpoint, so they are only kept (absolute, no fragment).</summary>
    [ConfigurationKeyName("redirect_uris"), JsonPropertyName("redirect_uris")]
    public List<string>? RedirectUris { get; set; }

    /// <summary>Must be empty when present: this provider has no authorization endpoint.</summary>
    [ConfigurationKeyName("response_types"), JsonPropertyName("response_types")]
    public List<string>? ResponseTypes { get; set; }

    // Per-client policy of /bc-authorize. backchannel_endpoint_login_hint_token_types is FAPI-CIBA's; the others are
    // Backchannel extensions. Unset: the provider's Ciba settings apply.

    /// <summary>The sub_id formats (RFC 9493) the client's login_hint_tokens may carry (FAPI-CIBA client metadata).</summary>
    [ConfigurationKeyName("backchannel_endpoint_login_hint_token_types"), JsonPropertyName("backchannel_endpoint_login_hint_token_types")]
    public List<string>? BackchannelEndpointLoginHintTokenTypes { get; set; }

    /// <summary>A Backchannel extension: which of login_hint, login_hint_token and id_token_hint the client may send.</summary>
    [ConfigurationKeyName("backchannel_allowed_hint_types"), JsonPropertyName("backchannel_allowed_hint_types")]
    public List<string>? BackchannelAllowedHintTypes { get; set; }

    /// <summary>A Backchannel extension: <c>expires_in</c> of a request without requested_expiry.</summary>
    [ConfigurationKeyName("backchannel_default_expiry_seconds"), JsonPropertyName("backchannel_default_expiry_seconds")]
    public int? BackchannelDefaultExpirySeconds { get; set; }

    /// <summary>A Backchannel extension: the longest a request may live (a larger requested_expiry is capped to it).</summary>
    [ConfigurationKeyName("backchannel_max_expiry_seconds"), JsonPropertyName("backchannel_max_expiry_seconds")]
    public int? BackchannelMaxExpirySeconds { get; set; }

    /// <summary>A Backchannel extension: the polling interval of the client's requests (at least Ciba:PollingIntervalSeconds).</summary>
    [ConfigurationKeyName("backchannel_polling_interval_seconds"), JsonPropertyName("backchannel_polling_interval_seconds")]
    public int? BackchannelPollingIntervalSeconds { get; set; }

    /// <summary>A Backchannel extension: true makes binding_message required.</summary>
    [ConfigurationKeyName("backchannel_binding_message_required"), JsonPropertyName("backchannel_binding_message_required")]
    public bool? BackchannelBindingMessageRequired { get; set; }

    /// <summary>A Backchannel extension: a regular expression every binding_message of the client must match.</summary>
    [ConfigurationKeyName("backchannel_binding_message_pattern"), JsonPropertyName("backchannel_binding_message_pattern")]
    public string? BackchannelBindingMessagePattern { get; set; }
    // Subject identifiers (OpenID Connect Core 8, CIBA Core 4) and introspection (RFC 7662).

    /// <summary><c>public</c> (the default) or <c>pairwise</c>.</summary>
    [ConfigurationKeyName("subject_type"), JsonPropertyName("subject_type")]
    public string? SubjectType { get; set; }

    /// <summary>
    /// For a pairwise poll or ping client: its host is the sector identifier (otherwise jwks_uri's host is). Not fetched.
    /// </summary>
    [ConfigurationKeyName("sector_identifier_uri"), JsonPropertyName("sector_identifier_uri")]
    public string? SectorIdentifierUri { get; set; }

    /// <summary>
    /// A Backchannel extension: true lets the client introspect tokens issued to any client (a resource server's client);
    /// by default a client sees only its own tokens as active.
    /// </summary>
    [ConfigurationKeyName("introspect_any_token"), JsonPropertyName("introspect_any_token")]
    public bool? IntrospectAnyToken { get; set; }
}

/// <summary>A JWK Set as configuration can carry it: each key a map of its string members.</summary>
public sealed class JwksDocument
{
    [ConfigurationKeyName("keys"), JsonPropertyName("keys")]
    public List<Dictionary<string, string>> Keys { get; set; } = [];
}
