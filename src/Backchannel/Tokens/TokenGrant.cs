namespace Backchannel.Tokens;

/// <summary>What a set of tokens is issued for: one user's authentication, for one client and scope.</summary>
public sealed record TokenGrant
{
    public required string ClientId { get; init; }

    /// <summary>The user's own sub.</summary>
    public required string Subject { get; init; }

    public required string Scope { get; init; }

    public required DateTimeOffset AuthTime { get; init; }

    public string? Acr { get; init; }

    public IReadOnlyList<string>? Amr { get; init; }

    /// <summary>Issue a refresh token too.</summary>
    public bool IncludeRefreshToken { get; init; }

    /// <summary>The algorithm of the ID token (the client's id_token_signed_response_alg); null: the provider's default.</summary>
    public string? IdTokenSigningAlgorithm { get; init; }

    /// <summary>Push mode: the ID token carries the auth_req_id and rt_hash claims (CIBA 10.3.1).</summary>
    public string? PushedAuthReqId { get; init; }

    /// <summary>The DPoP key (RFC 7638 thumbprint) the access token is bound to (cnf.jkt, token_type DPoP); null: a bearer token.</summary>
    public string? DpopKeyThumbprint { get; init; }

    /// <summary>
    /// The client certificate (RFC 8705 3.1 x5t#S256) the access token is bound to (cnf.x5t#S256; token_type stays Bearer);
    /// null: not bound to a certificate. A token is bound one way: never both this and <see cref="DpopKeyThumbprint"/>.
    /// </summary>
    public string? CertificateThumbprint { get; init; }

    /// <summary>The refresh token family, when rotating; a new family otherwise.</summary>
    public string? RefreshTokenFamily { get; init; }

    /// <summary>
    /// The sub the client sees (<see cref="ClientSubjects"/>: pairwise for a pairwise client), written into its ID and
    /// access tokens; null: <see cref="Subject"/>. The refresh token's record keeps <see cref="Subject"/>, the user's own.
    /// </summary>
    public string? ClientSubject { get; init; }

    /// <summary>The RFC 9396 authorization details granted, as a JSON array: carried by the access token and the refresh token.</summary>
    public string? AuthorizationDetails { get; init; }
}
