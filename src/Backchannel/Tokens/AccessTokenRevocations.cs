using Backchannel.Abstractions;
using Microsoft.IdentityModel.JsonWebTokens;

namespace Backchannel.Tokens;

/// <summary>
/// Whether an access token this provider issued was taken back: by its jti (on the revocation list, until it expires) or
/// with its refresh token family (its <c>sid</c>). One answer for /userinfo and introspection.
/// </summary>
public sealed class AccessTokenRevocations(IRevokedAccessTokenStore revokedTokens, IRefreshTokenStore refreshTokens)
{
    public async ValueTask<bool> IsRevokedAsync(JsonWebToken token, CancellationToken cancellationToken) =>
        await revokedTokens.IsRevokedAsync(token.Id, cancellationToken)
        || (token.TryGetPayloadValue<string>(TokenIssuer.FamilyClaim, out var family)
            && await refreshTokens.IsFamilyRevokedAsync(family, cancellationToken));

    /// <summary>Puts a validated access token on the revocation list until it expires.</summary>
    public Task RevokeAsync(JsonWebToken token, CancellationToken cancellationToken) =>
        revokedTokens.RevokeAsync(token.Id, new DateTimeOffset(token.ValidTo, TimeSpan.Zero), cancellationToken);
}
