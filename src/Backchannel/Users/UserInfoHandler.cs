using System.Text.Json;
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
    /// <summary>The answer to a DPoP-bound access token sent as a bearer token (RFC 9449 7.1: refused).</summary>
    public static readonly ProtocolError BoundTokenSentAsBearer = new(ErrorCodes.InvalidToken,
        "The access token is bound to a DPoP key: send it as Authorization: DPoP, with a DPoP proof of that key.", 401);

    /// <param name="dpopKeyThumbprint">
    /// When the token came as <c>Authorization: DPoP</c>: the key its (verified) proof proved, which must be the token's cnf.jkt.
    /// </param>
    public async ValueTask<ProtocolResult<IReadOnlyDictionary<string, object>>> HandleAsync(string? accessToken, string? dpopKeyThumbprint,
        CancellationToken cancellationToken)
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

        if (SenderConstraintError(token, dpopKeyThumbprint) is { } unproved)
        {
            return unproved;
        }

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

    /// <summary>RFC 9449 7: a bound token only with a proof of its key; an unbound token only as a bearer token.</summary>
    private static ProtocolError? SenderConstraintError(JsonWebToken token, string? dpopKeyThumbprint)
    {
        var boundKey = token.TryGetPayloadValue<JsonElement>(TokenIssuer.ConfirmationClaim, out var cnf) && cnf.ValueKind == JsonValueKind.Object
            && cnf.TryGetProperty(TokenIssuer.DpopThumbprintMember, out var jkt) && jkt.ValueKind == JsonValueKind.String
                ? jkt.GetString()
                : null;
        if (boundKey is null)
        {
            return dpopKeyThumbprint is null ? null
                : new ProtocolError(ErrorCodes.InvalidToken, "The access token is not bound to a DPoP key: send it as Authorization: Bearer.", 401);
        }

        if (dpopKeyThumbprint is null)
        {
            return BoundTokenSentAsBearer;
        }

        return boundKey == dpopKeyThumbprint ? null
            : new ProtocolError(ErrorCodes.InvalidDpopProof, "The DPoP proof's key is not the key the access token is bound to.", 401);
    }
}
