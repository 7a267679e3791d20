using Microsoft.IdentityModel.Tokens;

namespace Backchannel.Clients;

/// <summary>A registered client whose metadata passed validation: what the endpoints work with.</summary>
public sealed class Client
{
    public required string ClientId { get; init; }

    public string? ClientName { get; init; }

    public required string AuthenticationMethod { get; init; }

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

    /// <summary>The registered metadata, without the secret.</summary>
    public required ClientMetadata Metadata { get; init; }

    public bool HasKeys => Keys.Count > 0 || JwksUri is not null;

    public bool MayUse(string grantType) => GrantTypes.Contains(grantType);
}
