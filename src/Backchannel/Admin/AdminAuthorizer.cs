using Backchannel.Clients;
using Backchannel.Protocol;
using Backchannel.Tokens;

namespace Backchannel.Admin;

/// <summary>
/// Admits a caller of the admin API: an access token this provider issued (valid, unexpired, not revoked:
/// <see cref="IssuedTokenValidator.ValidateActiveAccessTokenAsync"/>) with the scope <c>backchannel:admin</c>, whose client
/// still exists and still lists that scope and the client_credentials grant (so that taking them away ends the use of its
/// tokens, within the client cache's lifetime).
/// </summary>
public sealed class AdminAuthorizer(IssuedTokenValidator validator, ClientCatalog clients)
{
    public async ValueTask<ProtocolResult<AdminCaller>> AuthorizeAsync(string? accessToken, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(accessToken))
        {
            return new ProtocolError(ErrorCodes.InvalidToken,
                $"An access token with the scope {Scopes.Admin} is required (Authorization: Bearer); get one with the client_credentials grant.", 401);
        }

        var validated = await validator.ValidateActiveAccessTokenAsync(accessToken, cancellationToken);
        if (!validated.Succeeded)
        {
            return validated.Error;
        }

        var token = validated.Value;
        if (!token.TryGetPayloadValue<string>("scope", out var scope) || !Scopes.Parse(scope).Contains(Scopes.Admin))
        {
            return new ProtocolError(ErrorCodes.InsufficientScope, $"The access token lacks the scope {Scopes.Admin}.", 403);
        }

        if (!token.TryGetPayloadValue<string>("client_id", out var clientId)
            || await clients.FindAsync(clientId, cancellationToken) is not { } client
            || client.AllowedScopes?.Contains(Scopes.Admin) != true
            || !client.MayUse(GrantTypes.ClientCredentials))
        {
            return new ProtocolError(ErrorCodes.InvalidToken,
                $"The access token's client no longer exists, or no longer has the scope {Scopes.Admin} or the client_credentials grant.", 401);
        }

        return new AdminCaller(client.ClientId);
    }
}
