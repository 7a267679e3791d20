using Backchannel.Abstractions;
using Backchannel.Protocol;
using Backchannel.Tokens;
using Microsoft.IdentityModel.JsonWebTokens;

namespace Backchannel.Users;

/// <summary>The UserInfo endpoint's work (OpenID Connect Core 5.3): the claims of the access token's scopes.</summary>
public sealed class UserInfoHandler(IssuedTokenValidator validator, IUserDirectory users)
{
    public async ValueTask<ProtocolResult<IReadOnlyDictionary<string, object>>> HandleAsync(string? accessToken, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(accessToken))
        {
            return new ProtocolError(ErrorCodes.InvalidToken, "An access token is required (Authorization: Bearer).", 401);
        }

        var validated = await validator.ValidateActiveAccessTokenAsync(accessToken, cancellationToken);
        if (!validated.Succeeded)
        {
            return validated.Error;
        }

        var token = validated.Value;

        var scopes = token.TryGetPayloadValue<string>("scope", out var scope) ? Scopes.Parse(scope) : [];
        if (!scopes.Contains(Scopes.OpenId))
        {
            return new ProtocolError(ErrorCodes.InsufficientScope, "The access token lacks the openid scope.", 403);
        }

        if (await users.FindBySubjectAsync(token.Subject, cancellationToken) is not { } user)
        {
            return new ProtocolError(ErrorCodes.InvalidToken, "The access token's user no longer exists.", 401);
        }

        return ProtocolResult<IReadOnlyDictionary<string, object>>.Ok(UserClaims.For(user, scopes));
    }
}
