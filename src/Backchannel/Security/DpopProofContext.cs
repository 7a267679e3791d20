namespace Backchannel.Security;

/// <summary>What a DPoP proof is checked against: the request it came with, the clock, and what the server expects of it.</summary>
public sealed record DpopProofContext
{
    /// <summary>The request's HTTP method (the proof's htm).</summary>
    public required string Method { get; init; }

    /// <summary>The endpoint's URL as the provider publishes it, without query and fragment (the proof's htu).</summary>
    public required string Url { get; init; }

    public required DateTimeOffset Now { get; init; }

    /// <summary>How old the proof's iat may be.</summary>
    public required TimeSpan Lifetime { get; init; }

    /// <summary>How far in the future the proof's iat may be (clock skew).</summary>
    public required TimeSpan ClockSkew { get; init; }

    public required IReadOnlyList<string> Algorithms { get; init; }

    /// <summary>At a resource: base64url(SHA-256(access token)), which the proof's ath must equal; null at the token endpoints.</summary>
    public string? AccessTokenHash { get; init; }

    /// <summary>Whether the proof must carry a valid server nonce.</summary>
    public bool RequireNonce { get; init; }

    /// <summary>Whether a nonce is one this provider issued and still accepts.</summary>
    public Func<string, bool> IsValidNonce { get; init; } = static _ => false;
}
