using Backchannel.Abstractions;
using Backchannel.Clients;
using Backchannel.Protocol;
using Backchannel.Tokens;
using Microsoft.IdentityModel.JsonWebTokens;

namespace Backchannel.Users;

/// <summary>
/// The UserInfo endpoint's work (OpenID Connect Core 5.3): the claims of the access token's scopes, with the sub the
/// token's client sees (pairwise for a pairwise client, traced back to the user through the store).
/// </summary>
public sealed class UserInfoHandler(
    IssuedTokenValidator validator,
    ClientCatalog clients,
    ClientSubjects subjects,
    IUserDirectory users)
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

        // Revoked tokens (the list, and the families of revoked refresh tokens) were refused by the validator.
        var token = validated.Value;

        var scopes = token.TryGetPayloadValue<string>("scope", out var scope) ? Scopes.Parse(scope) : [];
        if (!scopes.Contains(Scopes.OpenId))
        {
            return new ProtocolError(ErrorCodes.InsufficientScope, "The access token lacks the openid scope.", 403);
        }

        // The token's sub is its client's view of the user.
        var subject = token.Subject;
        if (token.TryGetPayloadValue<string>(Parameters.ClientId, out var clientId) && await clients.FindAsync(clientId, cancellationToken) is { } client)
        {
            subject = await subjects.LocalSubjectAsync(client, subject, cancellationToken);
        }

        if (subject is null || await users.FindBySubjectAsync(subject, cancellationToken) is not { } user)
        {
            return new ProtocolError(ErrorCodes.InvalidToken, "The access token's user no longer exists.", 401);
        }

        return ProtocolResult<IReadOnlyDictionary<string, object>>.Ok(UserClaims.For(user, scopes, token.Subject));
    }
}
