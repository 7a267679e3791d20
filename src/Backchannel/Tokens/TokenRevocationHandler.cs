using Backchannel.Abstractions;
using Backchannel.Diagnostics;
using Backchannel.Domain;
using Backchannel.Protocol;

namespace Backchannel.Tokens;

/// <summary>
/// Token revocation (RFC 7009) for an authenticated client: a refresh token revokes its whole family (and so the access
/// tokens issued with it); an access token goes on the revocation list until it expires. Only the client a token was
/// issued to can revoke it. Unknown, expired, malformed, already revoked and other clients' tokens are answered the same
/// way as a revoked one (2.2: the client cannot act on the difference), and nothing happens to them.
/// </summary>
public sealed class TokenRevocationHandler(
    IssuedTokenValidator validator,
    IRevokedAccessTokenStore revokedTokens,
    IRefreshTokenStore refreshTokens,
    AuditLog audit,
    TimeProvider time)
{
    /// <summary>Revokes the form's token if <paramref name="client"/> may; an error only when the request itself is wrong.</summary>
    public async ValueTask<ProtocolResult<bool>> HandleAsync(RequestParameters form, Client client, CancellationToken cancellationToken)
    {
        if (form[Parameters.Token] is not { } token)
        {
            return ProtocolError.InvalidRequest("token is required: the access token or refresh token to revoke.");
        }

        // The hint is not needed: the provider tells its access and refresh tokens apart by their form.
        var kind = TokenTypeHints.Of(token);
        var revoked = kind == TokenTypeHints.AccessToken
            ? await RevokeAccessTokenAsync(token, client, cancellationToken)
            : await refreshTokens.RevokeFamilyOfTokenAsync(SecretHash.Compute(token), client.ClientId, time.GetUtcNow(), cancellationToken) > 0;
        if (revoked)
        {
            audit.TokenRevoked(client.ClientId, kind);
        }

        return revoked;
    }

    private async ValueTask<bool> RevokeAccessTokenAsync(string token, Client client, CancellationToken cancellationToken)
    {
        // Already revoked is answered as revoked, without revoking it again.
        var validated = await validator.ValidateActiveAccessTokenAsync(token, cancellationToken);
        if (!validated.Succeeded
            || !validated.Value.TryGetPayloadValue<string>(Parameters.ClientId, out var clientId) || clientId != client.ClientId)
        {
            return false;
        }

        // On the revocation list until it expires.
        var jwt = validated.Value;
        await revokedTokens.RevokeAsync(jwt.Id, new DateTimeOffset(jwt.ValidTo, TimeSpan.Zero), cancellationToken);
        return true;
    }
}
