using System.Text.RegularExpressions;
using Backchannel.Protocol;
using Microsoft.IdentityModel.Tokens;

namespace Backchannel.Domain;

/// <summary>A registered client whose metadata passed validation: what the endpoints work with.</summary>
public sealed class Client
{
    public required string ClientId { get; init; }

    public string? ClientName { get; init; }

    public required string AuthenticationMethod { get; init; }

    /// <summary>Only the registered method authenticates (otherwise a secret client may use either secret method).</summary>
    public bool RequireAuthenticationMethod { get; init; }

    /// <summary>SHA-256 of the client secret, for the secret-based methods.</summary>
    public byte[]? SecretHash { get; init; }

    /// <summary>The algorithm the client's assertions must use, when it registered one.</summary>
    public string? AssertionSigningAlgorithm { get; init; }

    /// <summary>Inline public keys (jwks).</summary>
    public IReadOnlyList<JsonWebKey> Keys { get; init; } = [];

    public Uri? JwksUri { get; init; }

    public required IReadOnlySet<string> GrantTypes { get; init; }

    /// <summary>The scopes the client may request; null allows any.</summary>
    public IReadOnlySet<string>? AllowedScopes { get; init; }

    public required string DeliveryMode { get; init; }

    public Uri? NotificationEndpoint { get; init; }

    /// <summary>When set, every authentication request of this client must be signed with this algorithm.</summary>
    public string? RequestSigningAlgorithm { get; init; }

    public bool UserCodeParameter { get; init; }

    /// <summary>The algorithm of this client's ID tokens; null: the provider's <c>Tokens:SigningAlgorithm</c>.</summary>
    public string? IdTokenSigningAlgorithm { get; init; }

    /// <summary>The channels that may reach this client's users, in order of preference; empty: any.</summary>
    public IReadOnlyList<string> Channels { get; init; } = [];

    // Per-client policy of /bc-authorize (client metadata; see docs/clients.md). Null: the provider's setting applies.

    /// <summary>The hints the client may name users with (backchannel_allowed_hint_types); null: any.</summary>
    public IReadOnlySet<UserHintKind>? AllowedHintKinds { get; init; }

    /// <summary>The sub_id formats its login_hint_tokens may carry (backchannel_endpoint_login_hint_token_types); null: any.</summary>
    public IReadOnlySet<string>? LoginHintTokenTypes { get; init; }

    /// <summary><c>expires_in</c> when a request names no requested_expiry; null: <c>Ciba:DefaultExpirySeconds</c>.</summary>
    public int? DefaultExpirySeconds { get; init; }

    /// <summary>The longest a request of this client may live; null: <c>Ciba:MaxExpirySeconds</c>.</summary>
    public int? MaxExpirySeconds { get; init; }

    /// <summary>The polling interval of this client's requests; null: <c>Ciba:PollingIntervalSeconds</c>.</summary>
    public int? PollingIntervalSeconds { get; init; }

    /// <summary>Every request of this client must carry a binding_message.</summary>
    public bool BindingMessageRequired { get; init; }

    /// <summary>A pattern every binding_message of this client must match (besides <c>Ciba:BindingMessagePattern</c>).</summary>
    public Regex? BindingMessagePattern { get; init; }
    /// <summary>
    /// The sector identifier of a pairwise client (OpenID Connect Core 8.1, CIBA Core 4): the host its subject identifiers
    /// are derived for. Null for a public client, which sees users' own sub.
    /// </summary>
    public string? PairwiseSector { get; init; }

    /// <summary>The client may introspect tokens issued to any client (introspect_any_token), not only its own.</summary>
    public bool IntrospectAnyToken { get; init; }
    /// <summary>dpop_bound_access_tokens (RFC 9449 5.2): every token request must carry a DPoP proof.</summary>
    public bool DpopBoundAccessTokens { get; init; }

    /// <summary>How a tls_client_auth client's certificate names it (RFC 8705 2.1.2); null for every other method.</summary>
    public TlsClientAuthSubject? CertificateSubject { get; init; }

    /// <summary>The FAPI-CIBA profile the client is held to: its own fapi_profile, else the provider's Fapi:Profile.</summary>
    public FapiProfile FapiProfile { get; init; }

    /// <summary>tls_client_certificate_bound_access_tokens (RFC 8705 3.4): access tokens are bound to the client's certificate.</summary>
    public bool CertificateBoundAccessTokens { get; init; }

    public bool HasKeys => Keys.Count > 0 || JwksUri is not null;

    public bool MayUse(string grantType) => GrantTypes.Contains(grantType);
}

/// <summary>Where a stored client came from.</summary>
public static class ClientSources
{
    /// <summary>Backchannel:Clients (and the demo clients): rewritten at every start, removed when no longer configured.</summary>
    public const string Settings = "settings";

    /// <summary>Dynamic registration (POST /register): kept across restarts, managed with the registration access token.</summary>
    public const string Registration = "registration";
    /// <summary>Created through the admin API: kept across restarts.</summary>
    public const string Admin = "admin";
}

/// <summary>A client as the store keeps it: its metadata (RFC 7591 JSON, without the secret) and the secret's SHA-256.</summary>
public sealed record StoredClient
{
    public required string ClientId { get; init; }

    /// <summary>The registered metadata as JSON, without client_secret.</summary>
    public required string Metadata { get; init; }

    public byte[]? SecretHash { get; init; }

    public required string Source { get; init; }

    /// <summary>SHA-256 of the registration access token (RFC 7592), for a client of dynamic registration; else null.</summary>
    public byte[]? RegistrationAccessTokenHash { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public required DateTimeOffset UpdatedAt { get; init; }
}
