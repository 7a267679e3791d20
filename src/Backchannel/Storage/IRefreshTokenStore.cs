namespace Backchannel.Storage;

public interface IRefreshTokenStore
{
    ValueTask<RefreshTokenRecord?> FindAsync(byte[] tokenHash, CancellationToken cancellationToken);

    /// <summary>
    /// Consumes the token and stores its replacement atomically. A token that was already consumed is a reuse: the
    /// whole family is revoked.
    /// </summary>
    Task<RotationOutcome> RotateAsync(byte[] tokenHash, RefreshTokenRecord replacement, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Revokes every token of a family.</summary>
    Task RevokeFamilyAsync(string familyId, DateTimeOffset now, CancellationToken cancellationToken);

    Task<int> DeleteExpiredAsync(DateTimeOffset cutoff, CancellationToken cancellationToken);
}

public enum RotationOutcome
{
    Rotated,

    /// <summary>The token was used before: its family is now revoked.</summary>
    ReuseDetected,

    /// <summary>Unknown, revoked or expired.</summary>
    Invalid,
}
