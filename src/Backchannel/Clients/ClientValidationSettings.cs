using Backchannel.Protocol;

namespace Backchannel.Clients;

/// <summary>The provider settings client metadata is validated against (from Ciba, Notifications, Tokens and Channels).</summary>
public sealed record ClientValidationSettings
{
    public required IReadOnlyList<string> DeliveryModes { get; init; }

    public required IReadOnlyList<string> RequestSigningAlgorithms { get; init; }

    public bool UserCodeSupported { get; init; } = true;

    public bool AllowHttp { get; init; }

    public bool AllowPrivateNetworks { get; init; }

    /// <summary>The algorithms ID tokens can be signed with.</summary>
    public IReadOnlyList<string> TokenSigningAlgorithms { get; init; } = SigningAlgorithms.TokenSigning;

    /// <summary>The scopes the provider offers (Ciba:Scopes); a client may register only those. Null: not checked.</summary>
    public IReadOnlySet<string>? SupportedScopes { get; init; }

    /// <summary>The configured channel names a client may name; null: not checked.</summary>
    public IReadOnlySet<string>? Channels { get; init; }

    /// <summary>Ciba:MaxExpirySeconds: a client's own default and maximum expiry may not exceed it.</summary>
    public int MaxExpirySeconds { get; init; } = 1800;

    /// <summary>Ciba:PollingIntervalSeconds: a client's own polling interval may not be shorter.</summary>
    public int PollingIntervalSeconds { get; init; } = 5;
    /// <summary>Whether DPoP is on (Dpop:Enabled); a client may register dpop_bound_access_tokens only then.</summary>
    public bool DpopEnabled { get; init; } = true;

    /// <summary>Whether mutual TLS is on (Mtls:Enabled): the tls_client_auth methods and certificate-bound tokens need it.</summary>
    public bool MtlsEnabled { get; init; }

    /// <summary>Fapi:Profile, the profile of clients that set no fapi_profile of their own.</summary>
    public FapiProfile FapiProfile { get; init; }
}
