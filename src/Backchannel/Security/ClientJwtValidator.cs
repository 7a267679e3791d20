using Backchannel.Domain;
using Backchannel.Protocol;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Backchannel.Security;

/// <summary>
/// Validates a JWT a client signed (client assertion, request object, login_hint_token) with the client's keys:
/// asymmetric algorithms only, the registered algorithm when there is one, one refetch of a jwks_uri on an unknown key.
/// </summary>
public sealed class ClientJwtValidator(ClientKeyResolver keyResolver)
{
    private static readonly JsonWebTokenHandler Handler = new() { MapInboundClaims = false };

    public async ValueTask<TokenValidationResult> ValidateAsync(Client client, string jwt, TokenValidationParameters parameters,
        string? requiredAlgorithm, CancellationToken cancellationToken)
    {
        parameters.ValidAlgorithms = requiredAlgorithm is not null ? [requiredAlgorithm] : SigningAlgorithms.Asymmetric;
        parameters.RequireSignedTokens = true;
        parameters.TryAllIssuerSigningKeys = true;

        parameters.IssuerSigningKeys = await keyResolver.GetKeysAsync(client, refresh: false, cancellationToken);
        var result = await Handler.ValidateTokenAsync(jwt, parameters);
        if (!result.IsValid && client.JwksUri is not null && result.Exception is SecurityTokenSignatureKeyNotFoundException)
        {
            parameters.IssuerSigningKeys = await keyResolver.GetKeysAsync(client, refresh: true, cancellationToken);
            result = await Handler.ValidateTokenAsync(jwt, parameters);
        }

        return result;
    }

    /// <summary>Reads a JWT without validating it; null when it is not a well-formed JWS (see <see cref="Inspect"/> for why).</summary>
    public static JsonWebToken? Read(string jwt) => Inspect(jwt, out var token) is null ? token : null;

    /// <summary>
    /// Reads a client's JWT strictly, before any key is looked at: a compact JWS (three parts; a JWE or anything else is
    /// refused), no <c>crit</c> header (RFC 7515 4.1.11: this provider understands no extension), <c>exp</c>, <c>nbf</c>
    /// and <c>iat</c> JSON numbers when present, <c>jti</c>, <c>iss</c> and <c>sub</c> non-empty strings when present.
    /// Returns what is wrong, or null with the token.
    /// </summary>
    public static string? Inspect(string jwt, out JsonWebToken? token)
    {
        token = null;
        if (jwt.Length > MaxLength || jwt.AsSpan().Count('.') != 2)
        {
            return "it is not a compact signed JWT (JWS)";
        }

        try
        {
            var parsed = new JsonWebToken(jwt);
            if (!parsed.IsSigned && parsed.Alg != "none")
            {
                return "it is not signed";
            }

            if (parsed.TryGetHeaderValue<object>("crit", out _))
            {
                return "it has a crit header this provider does not understand";
            }

            using var payload = System.Text.Json.JsonDocument.Parse(Base64UrlEncoder.DecodeBytes(parsed.EncodedPayload));
            if (payload.RootElement.ValueKind != System.Text.Json.JsonValueKind.Object)
            {
                return "its payload is not a JSON object";
            }

            foreach (var claim in new[] { "exp", "nbf", "iat" })
            {
                if (payload.RootElement.TryGetProperty(claim, out var value) && value.ValueKind != System.Text.Json.JsonValueKind.Number)
                {
                    return $"its {claim} is not a number";
                }
            }

            foreach (var claim in new[] { "jti", "iss", "sub" })
            {
                if (payload.RootElement.TryGetProperty(claim, out var value)
                    && (value.ValueKind != System.Text.Json.JsonValueKind.String || string.IsNullOrEmpty(value.GetString())))
                {
                    return $"its {claim} is not a non-empty string";
                }
            }

            token = parsed;
            return null;
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or System.Text.Json.JsonException or SecurityTokenException
                                       or InvalidOperationException or OverflowException)
        {
            return "it is not a well-formed JWT";
        }
    }

    /// <summary>Longer JWTs are refused before they are parsed (the form limits bound them anyway).</summary>
    private const int MaxLength = 32 * 1024;

    /// <summary>A short reason for a failed validation, safe to return to the client.</summary>
    public static string Describe(TokenValidationResult result) => result.Exception switch
    {
        SecurityTokenExpiredException => "it has expired",
        SecurityTokenNotYetValidException => "it is not valid yet (nbf)",
        SecurityTokenInvalidAudienceException => "its aud is not accepted",
        SecurityTokenInvalidIssuerException => "its iss is wrong",
        SecurityTokenInvalidAlgorithmException => "its signing algorithm is not accepted",
        SecurityTokenSignatureKeyNotFoundException => "no registered key of the client verifies its signature",
        SecurityTokenInvalidSignatureException => "its signature is invalid",
        SecurityTokenNoExpirationException => "it has no exp",
        SecurityTokenInvalidLifetimeException => "its lifetime is invalid",
        SecurityTokenMalformedException => "it is not a well-formed JWT",
        _ => "it is not valid",
    };
}
