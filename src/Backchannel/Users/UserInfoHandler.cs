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

    /// <summary>The answer to a certificate-bound access token sent without its certificate (RFC 8705 3: refused).</summary>
    public static readonly ProtocolError CertificateNotPresented = new(ErrorCodes.InvalidToken,
        "The access token is bound to a client certificate: present that certificate over mutual TLS (the mtls_endpoint_aliases userinfo_endpoint).", 401);

    /// <param name="dpopKeyThumbprint">
    /// When the token came as <c>Authorization: DPoP</c>: the key its (verified) proof proved, which must be the token's cnf.jkt.
    /// </param>
    /// <param name="certificateThumbprint">
    /// The x5t#S256 of the client certificate of the request's mutual-TLS connection, if any: a token bound to a
    /// certificate (cnf.x5t#S256) is accepted only with that certificate.
    /// </param>
    public async ValueTask<ProtocolResult<IReadOnlyDictionary<string, object>>> HandleAsync(string? accessToken, string? dpopKeyThumbprint,
        CancellationToken cancellationToken, string? certificateThumbprint = null)
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

        if (SenderConstraintError(token, dpopKeyThumbprint, certificateThumbprint) is { } unproved)
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

    /// <summary>
    /// RFC 9449 7: a DPoP-bound token only with a proof of its key; an unbound token only as a bearer token. RFC 8705 3: a
    /// certificate-bound token only over a connection with that certificate.
    /// </summary>
    private static ProtocolError? SenderConstraintError(JsonWebToken token, string? dpopKeyThumbprint, string? certificateThumbprint)
    {
        var confirmation = token.TryGetPayloadValue<JsonElement>(TokenIssuer.ConfirmationClaim, out var cnf) && cnf.ValueKind == JsonValueKind.Object
            ? cnf
            : (JsonElement?)null;
        var boundKey = confirmation is { } c1 && c1.TryGetProperty(TokenIssuer.DpopThumbprintMember, out var jkt) && jkt.ValueKind == JsonValueKind.String
            ? jkt.GetString()
            : null;
        var boundCertificate = confirmation is { } c2 && c2.TryGetProperty(TokenIssuer.CertificateThumbprintMember, out var x5t)
            && x5t.ValueKind == JsonValueKind.String
                ? x5t.GetString()
                : null;
        if (boundCertificate is not null)
        {
            if (dpopKeyThumbprint is not null)
            {
                return new ProtocolError(ErrorCodes.InvalidToken, "The access token is bound to a client certificate, not to a DPoP key: send it as Authorization: Bearer over mutual TLS.", 401);
            }

            return certificateThumbprint is null ? CertificateNotPresented
                : boundCertificate == certificateThumbprint ? null
                : new ProtocolError(ErrorCodes.InvalidToken, "The access token is bound to another client certificate than the one of this connection.", 401);
        }

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
