using Backchannel.Abstractions;
using Backchannel.Clients;
using Backchannel.Protocol;
using Backchannel.Security;
using Backchannel.Tokens;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;

namespace Backchannel.Channels.App;

/// <summary>
/// Who registers, lists or removes devices, from an <c>id_token_hint</c>: an unexpired ID token this provider issued
/// (to one of <c>Channels:App:RegistrationClients</c> when that is set) for a user the directory knows. Gluu's device
/// registration takes the same. A signed-in session is the endpoints' other way (<see cref="ISignedInUserReader"/>).
/// </summary>
public sealed class DeviceOwnerAuthenticator(
    IssuedTokenValidator tokens,
    ClientCatalog clients,
    IUserDirectory users,
    IOptions<AppChannelOptions> options)
{
    /// <summary>The subject the ID token names, or why it is refused (401 invalid_token; 400 unknown_user_id for a user no longer known).</summary>
    public async Task<ProtocolResult<string>> AuthenticateAsync(string idTokenHint, CancellationToken cancellationToken)
    {
        if (ClientJwtValidator.Read(idTokenHint) is not { } token || token.Typ == TokenIssuer.AccessTokenType)
        {
            return Refused("it is not an ID token");
        }

        var audiences = token.Audiences.ToList();
        if (audiences.Count != 1)
        {
            return Refused("it must be issued to one client (one aud)");
        }

        var clientId = audiences[0];
        var allowed = options.Value.RegistrationClients;
        if (allowed.Count > 0 && !allowed.Contains(clientId, StringComparer.Ordinal))
        {
            return Refused($"ID tokens of the client '{clientId}' may not manage devices (Channels:App:RegistrationClients)");
        }

        if (await clients.FindAsync(clientId, cancellationToken) is null)
        {
            return Refused("it is not an ID token this provider issued");
        }

        var result = await tokens.ValidateIdTokenAsync(idTokenHint, clientId, TimeSpan.Zero, cancellationToken);
        if (!result.IsValid)
        {
            return Refused(result.Exception is Microsoft.IdentityModel.Tokens.SecurityTokenInvalidLifetimeException
                ? "it has expired"
                : "it is not an ID token this provider issued: " + ClientJwtValidator.Describe(result));
        }

        var subject = ((JsonWebToken)result.SecurityToken).Subject;
        if (string.IsNullOrEmpty(subject) || await users.FindBySubjectAsync(subject, cancellationToken) is null)
        {
            return new ProtocolError(ErrorCodes.UnknownUserId, "The id_token_hint names no known user.");
        }

        return subject;
    }

    private static ProtocolError Refused(string reason) => new(ErrorCodes.InvalidToken, $"The id_token_hint is refused: {reason}.", 401);
}
