using Backchannel.Abstractions;
using Backchannel.Diagnostics;
using Backchannel.Domain;
using Backchannel.Protocol;
using Backchannel.Security;
using Backchannel.Tokens;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Backchannel.Requests;

/// <summary>
/// Reads a signed backchannel authentication request (CIBA 7.1.1, FAPI-CIBA 5.2.2): an asymmetrically signed JWT from
/// the client with iss, aud, exp, iat, nbf and jti, a lifetime of at most 60 minutes, every authentication parameter
/// inside it and none outside, and a jti that is never accepted twice.
/// </summary>
public sealed class SignedRequestReader(
    ClientJwtValidator jwtValidator,
    IReplayCache replayCache,
    ProviderUrls urls,
    IOptions<ProviderOptions> provider,
    IOptions<CibaOptions> ciba,
    AuditLog audit,
    TimeProvider time)
{
    public const string RequestObjectType = "oauth-authz-req+jwt";
    public static readonly TimeSpan MaxLifetime = TimeSpan.FromMinutes(60);

    public async ValueTask<ProtocolResult<BackchannelAuthenticationParameters>> ReadAsync(string requestObject, RequestParameters form,
        Client client, CancellationToken cancellationToken)
    {
        if (Parameters.AuthenticationRequestParameters.FirstOrDefault(form.Contains) is { } outside)
        {
            return ProtocolError.InvalidRequest($"'{outside}' must be inside the signed request object, not beside it.");
        }

        if (ClientJwtValidator.Inspect(requestObject, out var unvalidated) is { } malformed)
        {
            return ProtocolError.InvalidRequest($"The request object is refused: {malformed}.");
        }

        var allowed = ciba.Value.EffectiveRequestSigningAlgorithms;
        if (!SigningAlgorithms.IsAsymmetric(unvalidated!.Alg) || !allowed.Contains(unvalidated.Alg))
        {
            return ProtocolError.InvalidRequest($"The request object's alg '{unvalidated.Alg}' is not accepted (use {string.Join(", ", allowed)}).");
        }

        if (FapiRules.CheckRequestObjectAlgorithm(client.FapiProfile, unvalidated.Alg) is { } fapiRefused)
        {
            return fapiRefused;
        }

        if (client.RequestSigningAlgorithm is { } registered && unvalidated.Alg != registered)
        {
            return ProtocolError.InvalidRequest($"The client registered {registered} for its request objects, not {unvalidated.Alg}.");
        }

        if (unvalidated.Typ is { Length: > 0 } typ
            && !typ.Equals(RequestObjectType, StringComparison.OrdinalIgnoreCase) && !typ.Equals("JWT", StringComparison.OrdinalIgnoreCase))
        {
            return ProtocolError.InvalidRequest($"The request object's typ must be {RequestObjectType}.");
        }

        if (form[Parameters.ClientId] is { } formClientId && formClientId != client.ClientId)
        {
            return ProtocolError.InvalidRequest("client_id differs from the authenticated client.");
        }

        var claimsError = CheckRequiredClaims(unvalidated, client);
        if (claimsError is not null)
        {
            return claimsError;
        }

        var parameters = new TokenValidationParameters
        {
            ValidIssuer = client.ClientId,
            ValidAudiences = urls.AssertionAudiences,
            RequireExpirationTime = true,
            ValidateLifetime = false,
        };
        var result = await jwtValidator.ValidateAsync(client, requestObject, parameters, unvalidated.Alg, cancellationToken);
        if (!result.IsValid)
        {
            return ProtocolError.InvalidRequest($"The request object is rejected: {ClientJwtValidator.Describe(result)}.");
        }

        var token = (JsonWebToken)result.SecurityToken;
        // Remembered until the request object could no longer be accepted: its exp plus the clock skew.
        if (!await replayCache.TryAddAsync($"request:{client.ClientId}:{token.Id}", new DateTimeOffset(token.ValidTo, TimeSpan.Zero) + provider.Value.ClockSkew,
                cancellationToken))
        {
            audit.ReplayRefused("request", client.ClientId);
            return ProtocolError.InvalidRequest("The request object was used before (jti replay).");
        }

        return FromClaims(token);
    }

    /// <summary>The claims CIBA requires, and the time rules of FAPI-CIBA, checked before the signature is.</summary>
    private ProtocolError? CheckRequiredClaims(JsonWebToken token, Client client)
    {
        foreach (var claim in new[] { "iss", "aud", "exp", "iat", "nbf", "jti" })
        {
            if (!token.TryGetPayloadValue<object>(claim, out var value) || value is null)
            {
                return ProtocolError.InvalidRequest($"The request object must have the '{claim}' claim.");
            }
        }

        if (token.Issuer != client.ClientId)
        {
            return ProtocolError.InvalidRequest("The request object's iss must be the client_id.");
        }

        var now = time.GetUtcNow().UtcDateTime;
        var skew = provider.Value.ClockSkew;
        DateTime exp = token.ValidTo, nbf = token.ValidFrom, iat = token.IssuedAt;
        if (exp <= now - skew)
        {
            return ProtocolError.InvalidRequest("The request object has expired.");
        }

        if (nbf > now + skew)
        {
            return ProtocolError.InvalidRequest("The request object is not valid yet (nbf is in the future).");
        }

        if (iat > now + skew)
        {
            return ProtocolError.InvalidRequest("The request object's iat is in the future.");
        }

        if (now - nbf > MaxLifetime)
        {
            return ProtocolError.InvalidRequest("The request object's nbf is more than 60 minutes in the past.");
        }

        if (exp - nbf > MaxLifetime)
        {
            return ProtocolError.InvalidRequest("The request object's lifetime (exp - nbf) exceeds 60 minutes.");
        }

        return null;
    }

    private static BackchannelAuthenticationParameters FromClaims(JsonWebToken token)
    {
        using var document = JwtPayload.Parse(token);
        var payload = document.RootElement;
        return new BackchannelAuthenticationParameters
        {
            Scope = JwtPayload.Text(payload, Parameters.Scope),
            ClientNotificationToken = JwtPayload.Text(payload, Parameters.ClientNotificationToken),
            AcrValues = JwtPayload.Text(payload, Parameters.AcrValues),
            LoginHintToken = JwtPayload.Text(payload, Parameters.LoginHintToken),
            IdTokenHint = JwtPayload.Text(payload, Parameters.IdTokenHint),
            LoginHint = JwtPayload.Text(payload, Parameters.LoginHint),
            BindingMessage = JwtPayload.Text(payload, Parameters.BindingMessage),
            UserCode = JwtPayload.Text(payload, Parameters.UserCode),

            // requested_expiry may be a JSON number or a string (CIBA 7.1.1); both arrive here as their digits.
            RequestedExpiry = JwtPayload.Text(payload, Parameters.RequestedExpiry),
            RequestContext = JwtPayload.Text(payload, Parameters.RequestContext),
            AuthorizationDetails = JwtPayload.Text(payload, Parameters.AuthorizationDetails),
        };
    }
}
