using Backchannel.Domain;

namespace Backchannel.Abstractions;

public interface IRefreshTokenStore
{
    ValueTask<RefreshTokenRecord?> FindAsync(byte[] tokenHash, CancellationToken cancellationToken);

    /// <summary>
    /// Consumes the token and stores its replacement atomically: one conditional update of the unconsumed, unrevoked,
    /// unexpired token. A token that was already consumed is a reuse: the whole family is revoked.
    /// </summary>
    Task<RotationOutcome> RotateAsync(byte[] tokenHash, RefreshTokenRecord replacement, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Revokes every token of a family.</summary>
    Task RevokeFamilyAsync(string familyId, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Whether the family was revoked (its access tokens are then refused too).</summary>
    ValueTask<bool> IsFamilyRevokedAsync(string familyId, CancellationToken cancellationToken);

    /// <summary>Removes families whose every token expired before <paramref name="cutoff"/>.</summary>
    Task<int> DeleteExpiredAsync(DateTimeOffset cutoff, CancellationToken cancellationToken);
}
