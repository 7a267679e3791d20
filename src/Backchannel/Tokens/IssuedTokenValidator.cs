using Backchannel.Abstractions;
using Backchannel.Keys;
using Backchannel.Protocol;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Backchannel.Tokens;

/// <summary>
/// Validates tokens this provider issued (access tokens at /userinfo, /admin, /revoke and /introspect, ID tokens given back
/// as id_token_hint). A token
/// signed with a key this node does not know yet (another node created it) makes the node read its keys again.
/// </summary>
public sealed class IssuedTokenValidator(
    KeyManager keys,
    ProviderUrls urls,
    IOptions<TokenOptions> tokens,
    IOptions<ProviderOptions> provider,
    IRevokedAccessTokenStore revokedTokens,
    IRefreshTokenStore refreshTokens,
    TimeProvider time)
{
    private readonly JsonWebTokenHandler _handler = new() { MapInboundClaims = false };

    /// <summary>Validates an access token: signature, issuer, audience, type at+jwt, lifetime.</summary>
    private Task<TokenValidationResult> ValidateAccessTokenAsync(string token, CancellationToken cancellationToken) =>
        ValidateAsync(token, () =>
        {
            var parameters = Base(provider.Value.ClockSkew);
            var audience = tokens.Value.AccessTokenAudience;
            parameters.ValidAudience = string.IsNullOrEmpty(audience) ? urls.Issuer : audience;
            parameters.ValidTypes = [TokenIssuer.AccessTokenType];
            return parameters;
        }, cancellationToken);

    /// <summary>
    /// Validates an access token presented to a resource (/userinfo, /admin) or to /revoke and /introspect: signature,
    /// issuer, audience, type at+jwt, lifetime, and not revoked (its jti on the revocation list, or the refresh token family
    /// it belongs to revoked). The token, or invalid_token (401).
    /// </summary>
    public async Task<ProtocolResult<JsonWebToken>> ValidateActiveAccessTokenAsync(string token, CancellationToken cancellationToken)
    {
        var result = await ValidateAccessTokenAsync(token, cancellationToken);
        if (!result.IsValid)
        {
            return new ProtocolError(ErrorCodes.InvalidToken, "The access token is invalid or expired.", 401);
        }

        var validated = (JsonWebToken)result.SecurityToken;
        if (await IsRevokedAsync(validated, cancellationToken))
        {
            return new ProtocolError(ErrorCodes.InvalidToken, "The access token was revoked.", 401);
        }

        return validated;
    }

    /// <summary>
    /// Whether a validated access token was taken back: by its jti (on the revocation list, until it expires) or with its
    /// refresh token family (its <c>sid</c>).
    /// </summary>
    private async ValueTask<bool> IsRevokedAsync(JsonWebToken token, CancellationToken cancellationToken) =>
        await revokedTokens.IsRevokedAsync(token.Id, cancellationToken)
        || (token.TryGetPayloadValue<string>(TokenIssuer.FamilyClaim, out var family)
            && await refreshTokens.IsFamilyRevokedAsync(family, cancellationToken));

    /// <summary>Validates an ID token issued to <paramref name="clientId"/>; it may have expired up to <paramref name="maxAgeAfterExpiry"/> ago.</summary>
    public Task<TokenValidationResult> ValidateIdTokenAsync(string token, string clientId, TimeSpan maxAgeAfterExpiry, CancellationToken cancellationToken) =>
        ValidateAsync(token, () =>
        {
            var parameters = Base(maxAgeAfterExpiry);
            parameters.ValidAudience = clientId;
            return parameters;
        }, cancellationToken);

    private async Task<TokenValidationResult> ValidateAsync(string token, Func<TokenValidationParameters> parameters, CancellationToken cancellationToken)
    {
        var result = await _handler.ValidateTokenAsync(token, parameters());
        if (result.Exception is SecurityTokenSignatureKeyNotFoundException && KeyIdOf(token) is { } keyId
            && await keys.ReloadIfUnknownAsync(ring => ring.Publishes(keyId), cancellationToken))
        {
            result = await _handler.ValidateTokenAsync(token, parameters());
        }

        return result;
    }

    private static string? KeyIdOf(string token)
    {
        try
        {
            return new JsonWebToken(token).Kid;
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    /// <summary>Issuer, this provider's published keys and algorithms, and exp within <paramref name="tolerance"/> of now.</summary>
    private TokenValidationParameters Base(TimeSpan tolerance) => new()
    {
        ValidIssuer = urls.Issuer,
        IssuerSigningKeys = keys.Current.VerificationKeys,
        ValidAlgorithms = keys.Current.TokenAlgorithms,
        RequireSignedTokens = true,
        RequireExpirationTime = true,
        LifetimeValidator = (_, expires, _, _) => expires is { } exp && exp + tolerance > time.GetUtcNow().UtcDateTime,
    };
}
