using System.Buffers.Text;
using System.Text.Json;
using Backchannel.Protocol;
using Backchannel.Security;
using Backchannel.Tokens;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Backchannel.Channels.App;

/// <summary>
/// The short JWTs a device signs with its own key (ES256), and how they are checked (pure: the key, the clock and the
/// expected audience decide). Each has its <c>typ</c>, <c>aud</c> = the absolute URL it is sent to, <c>iat</c>, a
/// <c>jti</c> used once, and lives at most <see cref="MaxLifetime"/>:
/// <list type="bullet">
/// <item><see cref="AccessType"/>: reads the device's requests (<c>exp</c> required);</item>
/// <item><see cref="DecisionType"/>: the user's decision (<c>transaction_id</c>, <c>decision</c>; <c>exp</c> optional);</item>
/// <item><see cref="RegistrationType"/>: Gluu's <c>device_registration_token</c>, signed by the key it registers, which its
/// <c>jwk</c> header carries (<c>exp</c> required).</item>
/// </list>
/// </summary>
public static class DeviceJwts
{
    public const string AccessType = "ciba-device-auth+jwt";
    public const string DecisionType = "ciba-device-decision+jwt";
    public const string RegistrationType = "ciba-device-registration+jwt";

    /// <summary>The longest a device JWT may live (from its iat to its exp, or to its acceptance without exp).</summary>
    public static readonly TimeSpan MaxLifetime = TimeSpan.FromMinutes(5);

    private static readonly JsonWebTokenHandler Handler = new() { MapInboundClaims = false };

    /// <summary>
    /// Checks a device JWT: signed with ES256 by <paramref name="key"/>, of <paramref name="type"/>, for
    /// <paramref name="audience"/>, issued at most <see cref="MaxLifetime"/> ago (and not in the future), unexpired, with a
    /// jti. The claims, or what is wrong.
    /// </summary>
    public static async Task<ProtocolResult<VerifiedDeviceJwt>> VerifyAsync(string jwt, SecurityKey key, string type, string audience,
        bool requireExpiry, DateTimeOffset now, TimeSpan clockSkew)
    {
        if (ClientJwtValidator.Inspect(jwt, out var read) is { } malformed)
        {
            return Invalid(type, malformed);
        }

        if (read!.Alg != SigningAlgorithms.ES256)
        {
            return Invalid(type, "it is not signed with ES256");
        }

        // typ is a media type: compared ignoring case (RFC 7515 4.1.9).
        if (!string.Equals(read.Typ, type, StringComparison.OrdinalIgnoreCase))
        {
            return Invalid(type, $"its typ is not {type}");
        }

        var result = await Handler.ValidateTokenAsync(jwt, new TokenValidationParameters
        {
            IssuerSigningKey = key,
            TryAllIssuerSigningKeys = true,
            ValidAlgorithms = [SigningAlgorithms.ES256],
            RequireSignedTokens = true,
            ValidAudience = audience,
            ValidateIssuer = false,
            ValidateLifetime = false,
            RequireExpirationTime = false,
        });
        if (!result.IsValid)
        {
            return Invalid(type, result.Exception switch
            {
                SecurityTokenInvalidAudienceException => $"its aud is not {audience}",
                SecurityTokenInvalidAlgorithmException => "it is not signed with ES256",
                SecurityTokenSignatureKeyNotFoundException or SecurityTokenInvalidSignatureException => "its signature is not made with the device's key",
                _ => ClientJwtValidator.Describe(result),
            });
        }

        var token = (JsonWebToken)result.SecurityToken;
        using var payload = JwtPayload.Parse(token);
        var claims = payload.RootElement;
        if (!claims.TryGetProperty("iat", out var iat) || !iat.TryGetInt64(out var issuedSeconds))
        {
            return Invalid(type, "it has no iat");
        }

        var issuedAt = DateTimeOffset.FromUnixTimeSeconds(issuedSeconds);
        if (issuedAt > now + clockSkew)
        {
            return Invalid(type, "its iat is in the future");
        }

        DateTimeOffset acceptedUntil;
        if (claims.TryGetProperty("exp", out var exp))
        {
            if (!exp.TryGetInt64(out var expiresSeconds))
            {
                return Invalid(type, "its exp is not a whole number of seconds");
            }

            var expiresAt = DateTimeOffset.FromUnixTimeSeconds(expiresSeconds);
            if (expiresAt - issuedAt > MaxLifetime)
            {
                return Invalid(type, $"it lives longer than {MaxLifetime.TotalSeconds:0} seconds (exp - iat)");
            }

            if (expiresAt + clockSkew <= now)
            {
                return Invalid(type, "it has expired");
            }

            acceptedUntil = expiresAt + clockSkew;
        }
        else if (requireExpiry)
        {
            return Invalid(type, "it has no exp");
        }
        else
        {
            acceptedUntil = issuedAt + MaxLifetime + clockSkew;
            if (acceptedUntil <= now)
            {
                return Invalid(type, $"it was issued more than {MaxLifetime.TotalSeconds:0} seconds ago");
            }
        }

        if (JwtPayload.String(claims, "jti") is not { } jti)
        {
            return Invalid(type, "it has no jti");
        }

        return new VerifiedDeviceJwt(claims.Clone(), jti, acceptedUntil);
    }

    /// <summary>The key in the <c>jwk</c> header of a registration token, which signs it (proof that the device holds the key).</summary>
    public static ProtocolResult<DeviceKey> HeaderKey(string jwt)
    {
        if (ClientJwtValidator.Inspect(jwt, out var token) is { } malformed)
        {
            return Invalid(RegistrationType, malformed, ErrorCodes.InvalidRequest, 400);
        }

        using var header = JsonDocument.Parse(Base64Url.DecodeFromChars(token!.EncodedHeader));
        if (!header.RootElement.TryGetProperty("jwk", out var jwk))
        {
            return Invalid(RegistrationType, "its header has no jwk (the device's public key, which signs it)", ErrorCodes.InvalidRequest, 400);
        }

        return DeviceKey.Parse(jwk);
    }

    private static ProtocolError Invalid(string type, string reason, string error = ErrorCodes.InvalidToken, int status = 401) =>
        new(error, $"The {Describe(type)} is refused: {reason}.", status);

    private static string Describe(string type) => type switch
    {
        AccessType => "device's access JWT",
        DecisionType => "decision JWT",
        _ => "device_registration_token",
    };
}

/// <summary>A device JWT that passed <see cref="DeviceJwts.VerifyAsync"/>: its claims, its jti, and until when it could be accepted (how long its jti is kept).</summary>
public sealed record VerifiedDeviceJwt(JsonElement Claims, string Jti, DateTimeOffset AcceptedUntil);
