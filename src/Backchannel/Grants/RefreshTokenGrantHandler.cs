using Backchannel.Abstractions;
using Backchannel.Diagnostics;
using Backchannel.Domain;
using Backchannel.Protocol;
using Backchannel.Tokens;

namespace Backchannel.Grants;

/// <summary>
/// The refresh token grant (RFC 6749 6) with rotation: each refresh token is used once and replaced; using one twice
/// revokes every token of its family (OAuth 2.0 Security BCP 4.14).
/// </summary>
public sealed class RefreshTokenGrantHandler(
    IRefreshTokenStore refreshTokens,
    IUserDirectory users,
    TokenIssuer tokens,
    ClientSubjects subjects,
    AuditLog audit,
    TimeProvider time)
{
    private static readonly ProtocolError Reused = ProtocolError.InvalidGrant("The refresh token was already used; every token of its grant is now revoked.");

    private static readonly ProtocolError Invalid = ProtocolError.InvalidGrant("The refresh token is unknown, expired, revoked, or was issued to another client.");

    /// <param name="certificateThumbprint">The x5t#S256 of the client certificate the new access token is bound to (RFC 8705 3); null: none.</param>
    public async ValueTask<ProtocolResult<IssuedTokens>> HandleAsync(RequestParameters form, Client client, string? dpopKeyThumbprint,
        CancellationToken cancellationToken, string? certificateThumbprint = null)
    {
        if (form[Parameters.RefreshToken] is not { } refreshToken)
        {
            return ProtocolError.InvalidRequest("refresh_token is required.");
        }

        var hash = SecretHash.Compute(refreshToken);
        var record = await refreshTokens.FindAsync(hash, cancellationToken);
        var now = time.GetUtcNow();
        if (record is null || record.ClientId != client.ClientId || record.RevokedAt is not null || record.ExpiresAt <= now)
        {
            return Invalid;
        }

        // A used token is a reuse whatever else the request says: the family is revoked first.
        if (record.ConsumedAt is not null)
        {
            await refreshTokens.RevokeFamilyAsync(record.FamilyId, now, cancellationToken);
            audit.RefreshTokenReuse(client.ClientId, record.Subject, record.FamilyId);
            return Reused;
        }

        var scope = record.Scope;
        if (form[Parameters.Scope] is { } requested)
        {
            var granted = Scopes.Parse(record.Scope);
            var asked = Scopes.Parse(requested);
            if (asked.FirstOrDefault(s => !granted.Contains(s)) is { } extra)
            {
                return ProtocolError.InvalidScope($"The scope '{extra}' was not granted to this refresh token.");
            }

            scope = string.Join(' ', asked);
        }

        if (await users.FindBySubjectAsync(record.Subject, cancellationToken) is null)
        {
            return ProtocolError.InvalidGrant("The user of this refresh token no longer exists.");
        }

        var issued = await tokens.IssueAsync(new TokenGrant
        {
            ClientId = client.ClientId,
            Subject = record.Subject,
            ClientSubject = await subjects.ForClientAsync(client, record.Subject, cancellationToken),
            Scope = scope,
            AuthorizationDetails = record.AuthorizationDetails,
            AuthTime = record.AuthTime,
            Acr = record.Acr,
            Amr = record.Amr,
            IncludeRefreshToken = true,
            IdTokenSigningAlgorithm = client.IdTokenSigningAlgorithm,
            RefreshTokenFamily = record.FamilyId,

            // Every client here is confidential: its refresh tokens are not bound (RFC 9449 5 and RFC 8705 4 bind only public
            // clients'; the client's authentication protects them), and the new access token is bound to the key proved now,
            // or to the certificate of this request's mutual-TLS connection.
            DpopKeyThumbprint = dpopKeyThumbprint,
            CertificateThumbprint = certificateThumbprint,
        }, cancellationToken);

        // The replacement keeps the scope of the family, so that a narrower access token does not narrow later refreshes.
        var replacement = issued.RefreshTokenRecord! with { Scope = record.Scope };
        switch (await refreshTokens.RotateAsync(hash, replacement, now, cancellationToken))
        {
            case RotationOutcome.Rotated:
                return issued;
            case RotationOutcome.ReuseDetected:
                audit.RefreshTokenReuse(client.ClientId, record.Subject, record.FamilyId);
                return Reused;
            default:
                return Invalid;
        }
    }
}
