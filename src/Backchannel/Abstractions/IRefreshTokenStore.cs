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

    /// <summary>
    /// Revokes every token of the family of the token with this hash, if that token was issued to
    /// <paramref name="clientId"/> (token revocation, RFC 7009): one conditional update. The number of tokens revoked:
    /// 0 for an unknown token, another client's token, or a family revoked before.
    /// </summary>
    Task<int> RevokeFamilyOfTokenAsync(byte[] tokenHash, string clientId, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Whether the family was revoked (its access tokens are then refused too).</summary>
    ValueTask<bool> IsFamilyRevokedAsync(string familyId, CancellationToken cancellationToken);

    /// <summary>Removes families whose every token expired before <paramref name="cutoff"/>.</summary>
    Task<int> DeleteExpiredAsync(DateTimeOffset cutoff, CancellationToken cancellationToken);
}
