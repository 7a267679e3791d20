namespace Backchannel.Domain;

/// <summary>A refresh token, stored by its SHA-256; tokens of one family descend from one authentication.</summary>
public sealed record RefreshTokenRecord
{
    public required byte[] TokenHash { get; init; }

    public required string FamilyId { get; init; }

    public required string ClientId { get; init; }

    public required string Subject { get; init; }

    public required string Scope { get; init; }

    public required DateTimeOffset AuthTime { get; init; }

    public string? Acr { get; init; }

    public IReadOnlyList<string>? Amr { get; init; }

    /// <summary>The RFC 9396 authorization details of the grant, as a JSON array; null when it had none.</summary>
    public string? AuthorizationDetails { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public required DateTimeOffset ExpiresAt { get; init; }

    public DateTimeOffset? ConsumedAt { get; init; }

    public DateTimeOffset? RevokedAt { get; init; }
}

/// <summary>What a rotation of a refresh token did.</summary>
public enum RotationOutcome
{
    Rotated,

    /// <summary>The token was used before: its family is now revoked.</summary>
    ReuseDetected,

    /// <summary>Unknown, revoked or expired.</summary>
    Invalid,
}
