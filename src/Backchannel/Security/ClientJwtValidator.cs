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

    /// <summary>Reads a JWT without validating it; null when it is not a well-formed JWS.</summary>
    public static JsonWebToken? Read(string jwt)
    {
        if (!Handler.CanReadToken(jwt))
        {
            return null;
        }

        try
        {
            var token = new JsonWebToken(jwt);
            return token.IsSigned || token.Alg == "none" ? token : null;
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

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
