using System.Buffers;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Backchannel.Abstractions;
using Backchannel.Domain;
using Backchannel.Keys;
using Backchannel.Protocol;
using Microsoft.Extensions.Options;

namespace Backchannel.Tokens;

/// <summary>
/// Issues ID tokens (OpenID Connect Core 2, CIBA 10.3.1), JWT access tokens (RFC 9068) and opaque refresh tokens.
/// Two signatures per issuance: the ID token and the access token.
/// </summary>
public sealed class TokenIssuer(KeyManager keys, ProviderUrls urls, IOptions<TokenOptions> options, TimeProvider time)
{
    public const string AccessTokenType = "at+jwt";
    public const string IdTokenType = "JWT";
    public const string AuthReqIdClaim = "urn:openid:params:jwt:claim:auth_req_id";
    public const string RefreshTokenHashClaim = "urn:openid:params:jwt:claim:rt_hash";

    public async ValueTask<IssuedTokens> IssueAsync(TokenGrant grant, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var issuer = urls.Issuer;
        var now = time.GetUtcNow();
        var key = keys.Current.TokenSigningKey;
        var idTokenKey = grant.IdTokenSigningAlgorithm is { } algorithm && algorithm != key.Algorithm
            ? await keys.TokenSigningKeyAsync(algorithm, cancellationToken)
              ?? throw new InvalidOperationException($"No {algorithm} key can sign ID tokens (the signing key comes from a file).")
            : key;

        // The refresh token family is the grant's session: its access tokens name it (sid), so that revoking the family
        // revokes them too.
        var family = grant.IncludeRefreshToken ? grant.RefreshTokenFamily ?? RandomIdentifiers.NewSortableId(now) : null;
        var jti = RandomIdentifiers.NewJwtId();
        var accessTokenExpiresAt = now.AddSeconds(settings.AccessTokenLifetimeSeconds);
        var accessToken = JwsWriter.Sign(key, AccessTokenType, WriteAccessToken(grant, issuer, jti, family, now, accessTokenExpiresAt, settings));

        string? refreshToken = null;
        RefreshTokenRecord? refreshRecord = null;
        if (family is not null)
        {
            refreshToken = RandomIdentifiers.NewRefreshToken();
            refreshRecord = new RefreshTokenRecord
            {
                TokenHash = SecretHash.Compute(refreshToken),
                FamilyId = family,
                ClientId = grant.ClientId,
                Subject = grant.Subject,
                Scope = grant.Scope,
                AuthTime = grant.AuthTime,
                Acr = grant.Acr,
                Amr = grant.Amr,
                AuthorizationDetails = grant.AuthorizationDetails,
                CreatedAt = now,
                ExpiresAt = now.AddSeconds(settings.RefreshTokenLifetimeSeconds),
            };
        }

        // An ID token only for the openid scope (a refresh may narrow the scope to others).
        var idToken = Scopes.Parse(grant.Scope).Contains(Scopes.OpenId)
            ? JwsWriter.Sign(idTokenKey, IdTokenType, WriteIdToken(grant, issuer, now, settings, accessToken, refreshToken))
            : null;

        return new IssuedTokens
        {
            AccessToken = accessToken,
            AccessTokenId = jti,
            AccessTokenExpiresAt = accessTokenExpiresAt,
            ExpiresIn = settings.AccessTokenLifetimeSeconds,
            IdToken = idToken,
            RefreshToken = refreshToken,
            RefreshTokenRecord = refreshRecord,
            Scope = grant.Scope,
            AuthReqId = grant.PushedAuthReqId,
            TokenType = grant.DpopKeyThumbprint is null ? IssuedTokens.BearerTokenType : IssuedTokens.DpopTokenType,
        };
    }

    /// <summary>
    /// An access token for the client itself (the client_credentials grant): no user is involved, so its <c>sub</c> is the
    /// client_id (RFC 9068 2.2) and it has no <c>auth_time</c>; no ID token, no refresh token.
    /// </summary>
    public IssuedTokens IssueForClient(string clientId, string scope)
    {
        var settings = options.Value;
        var issuer = urls.Issuer;
        var now = time.GetUtcNow();
        var jti = RandomIdentifiers.NewJwtId();
        var expiresAt = now.AddSeconds(settings.AccessTokenLifetimeSeconds);
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer, JwtJson.WriterOptions))
        {
            writer.WriteStartObject();
            WriteAccessTokenClaims(writer, issuer, clientId, clientId, scope, jti, now, expiresAt, settings);
            writer.WriteEndObject();
        }

        return new IssuedTokens
        {
            AccessToken = JwsWriter.Sign(keys.Current.TokenSigningKey, AccessTokenType, buffer.WrittenSpan),
            AccessTokenId = jti,
            AccessTokenExpiresAt = expiresAt,
            ExpiresIn = settings.AccessTokenLifetimeSeconds,
            Scope = scope,
        };
    }

    /// <summary>The claim of an access token that names its refresh token family.</summary>
    public const string FamilyClaim = "sid";

    /// <summary>The claim of an access token that carries the RFC 9396 authorization details it was granted for (RFC 9396 9.1).</summary>
    public const string AuthorizationDetailsClaim = "authorization_details";

    /// <summary>The claims every access token has (RFC 9068 2.2).</summary>
    private static void WriteAccessTokenClaims(Utf8JsonWriter writer, string issuer, string subject, string clientId, string scope, string jti,
        DateTimeOffset now, DateTimeOffset expiresAt, TokenOptions settings)
    {
        writer.WriteString("iss", issuer);
        writer.WriteString("sub", subject);
        writer.WriteString("aud", string.IsNullOrEmpty(settings.AccessTokenAudience) ? issuer : settings.AccessTokenAudience);
        writer.WriteNumber("exp", expiresAt.ToUnixTimeSeconds());
        writer.WriteNumber("iat", now.ToUnixTimeSeconds());
        writer.WriteString("jti", jti);
        writer.WriteString("client_id", clientId);
        writer.WriteString("scope", scope);
    }

    private static ReadOnlySpan<byte> WriteAccessToken(TokenGrant grant, string issuer, string jti, string? family, DateTimeOffset now,
        DateTimeOffset expiresAt, TokenOptions settings)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var writer = new Utf8JsonWriter(buffer, JwtJson.WriterOptions))
        {
            writer.WriteStartObject();
            WriteAccessTokenClaims(writer, issuer, grant.ClientSubject ?? grant.Subject, grant.ClientId, grant.Scope, jti, now, expiresAt, settings);
            writer.WriteNumber("auth_time", grant.AuthTime.ToUnixTimeSeconds());
            if (family is not null)
            {
                writer.WriteString(FamilyClaim, family);
            }

            if (grant.AuthorizationDetails is { } authorizationDetails)
            {
                writer.WritePropertyName(AuthorizationDetailsClaim);
                writer.WriteRawValue(authorizationDetails);
            }

            WriteAuthenticationClaims(writer, grant);
            if (grant.DpopKeyThumbprint is { } jkt)
            {
                // RFC 9449 6.1: the confirmation of the DPoP key the token is bound to.
                writer.WriteStartObject(ConfirmationClaim);
                writer.WriteString(DpopThumbprintMember, jkt);
                writer.WriteEndObject();
            }
            else if (grant.CertificateThumbprint is { } x5t)
            {
                // RFC 8705 3.1: the confirmation of the client certificate the token is bound to.
                writer.WriteStartObject(ConfirmationClaim);
                writer.WriteString(CertificateThumbprintMember, x5t);
                writer.WriteEndObject();
            }

            writer.WriteEndObject();
        }

        return buffer.WrittenSpan;
    }

    /// <summary>The confirmation claim (RFC 7800) of a sender-constrained access token, and its DPoP member (RFC 9449 6.1).</summary>
    public const string ConfirmationClaim = "cnf";

    public const string DpopThumbprintMember = "jkt";

    /// <summary>The confirmation member of a certificate-bound access token (RFC 8705 3.1).</summary>
    public const string CertificateThumbprintMember = CertificateThumbprint.ConfirmationMember;

    private static ReadOnlySpan<byte> WriteIdToken(TokenGrant grant, string issuer, DateTimeOffset now, TokenOptions settings,
        string accessToken, string? refreshToken)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var writer = new Utf8JsonWriter(buffer, JwtJson.WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteString("iss", issuer);
            writer.WriteString("sub", grant.ClientSubject ?? grant.Subject);
            writer.WriteString("aud", grant.ClientId);
            writer.WriteNumber("exp", now.AddSeconds(settings.IdTokenLifetimeSeconds).ToUnixTimeSeconds());
            writer.WriteNumber("iat", now.ToUnixTimeSeconds());
            writer.WriteNumber("auth_time", grant.AuthTime.ToUnixTimeSeconds());
            WriteAuthenticationClaims(writer, grant);
            writer.WriteString("at_hash", LeftHalfHash(accessToken));
            if (grant.PushedAuthReqId is { } authReqId)
            {
                writer.WriteString(AuthReqIdClaim, authReqId);
                if (refreshToken is not null)
                {
                    writer.WriteString(RefreshTokenHashClaim, LeftHalfHash(refreshToken));
                }
            }

            writer.WriteEndObject();
        }

        return buffer.WrittenSpan;
    }

    private static void WriteAuthenticationClaims(Utf8JsonWriter writer, TokenGrant grant)
    {
        if (grant.Acr is { } acr)
        {
            writer.WriteString("acr", acr);
        }

        if (grant.Amr is { Count: > 0 } amr)
        {
            writer.WriteStartArray("amr");
            foreach (var method in amr)
            {
                writer.WriteStringValue(method);
            }

            writer.WriteEndArray();
        }
    }

    /// <summary>at_hash / rt_hash: base64url of the left half of the SHA-256 of the token's ASCII (all supported algorithms use SHA-256).</summary>
    public static string LeftHalfHash(string token)
    {
        Span<byte> hash = stackalloc byte[32];
        var ascii = token.Length <= 2048 ? stackalloc byte[token.Length] : new byte[token.Length];
        Encoding.ASCII.GetBytes(token, ascii);
        SHA256.HashData(ascii, hash);
        return Base64Url.EncodeToString(hash[..16]);
    }
}
