namespace Backchannel.Abstractions;

/// <summary>Access tokens (by jti) taken back before they expire.</summary>
public interface IRevokedAccessTokenStore
{
    Task RevokeAsync(string jti, DateTimeOffset expiresAt, CancellationToken cancellationToken);

    ValueTask<bool> IsRevokedAsync(string jti, CancellationToken cancellationToken);

    Task<int> DeleteExpiredAsync(DateTimeOffset now, CancellationToken cancellationToken);
}
