using System.Text.Json;
using System.Text.Json.Serialization;

namespace Backchannel.Protocol;

/// <summary>
/// The answer of the introspection endpoint (RFC 7662 2.2): <c>{"active": false}</c> and nothing else for a token the
/// caller may not see or that is not active; the token's claims otherwise.
/// </summary>
public sealed record IntrospectionResponse
{
    /// <summary>The answer for unknown, expired, revoked, malformed and foreign tokens alike.</summary>
    public static readonly IntrospectionResponse Inactive = new() { Active = false };

    [JsonPropertyName("active")]
    public required bool Active { get; init; }

    [JsonPropertyName("scope")]
    public string? Scope { get; init; }

    [JsonPropertyName("client_id")]
    public string? ClientId { get; init; }

    /// <summary><c>Bearer</c> for access tokens, <c>refresh_token</c> for refresh tokens.</summary>
    [JsonPropertyName("token_type")]
    public string? TokenType { get; init; }

    [JsonPropertyName("exp")]
    public long? Exp { get; init; }

    [JsonPropertyName("iat")]
    public long? Iat { get; init; }

    /// <summary>The subject as the token's client sees it (pairwise for a pairwise client).</summary>
    [JsonPropertyName("sub")]
    public string? Sub { get; init; }

    [JsonPropertyName("aud")]
    public string? Aud { get; init; }

    [JsonPropertyName("iss")]
    public string? Iss { get; init; }

    /// <summary>The token's confirmation claim (RFC 7800), when it is sender-constrained.</summary>
    [JsonPropertyName("cnf")]
    public JsonElement? Cnf { get; init; }

    /// <summary>The RFC 9396 authorization details the token was granted for, when there are any.</summary>
    [JsonPropertyName("authorization_details")]
    public JsonElement? AuthorizationDetails { get; init; }
}
