using Backchannel.Configuration;
using Backchannel.Keys;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Backchannel.Tokens;

/// <summary>Validates tokens this provider issued (access tokens at /userinfo, ID tokens given back as id_token_hint).</summary>
public sealed class IssuedTokenValidator(KeyManager keys, IOptions<BackchannelOptions> options, TimeProvider time)
{
    private readonly JsonWebTokenHandler _handler = new() { MapInboundClaims = false };

    /// <summary>Validates an access token: signature, issuer, audience, type at+jwt, lifetime.</summary>
    public Task<TokenValidationResult> ValidateAccessTokenAsync(string token)
    {
        var settings = options.Value;
        var parameters = Base(settings);
        parameters.ValidAudience = string.IsNullOrEmpty(settings.Tokens.AccessTokenAudience) ? settings.IssuerUri : settings.Tokens.AccessTokenAudience;
        parameters.ValidTypes = [TokenIssuer.AccessTokenType];
        return _handler.ValidateTokenAsync(token, parameters);
    }

    /// <summary>Validates an ID token issued to <paramref name="clientId"/>; it may have expired up to <paramref name="maxAgeAfterExpiry"/> ago.</summary>
    public Task<TokenValidationResult> ValidateIdTokenAsync(string token, string clientId, TimeSpan maxAgeAfterExpiry)
    {
        var parameters = Base(options.Value);
        parameters.ValidAudience = clientId;
        parameters.LifetimeValidator = (_, expires, _, _) => expires is { } exp && exp + maxAgeAfterExpiry > time.GetUtcNow().UtcDateTime;
        return _handler.ValidateTokenAsync(token, parameters);
    }

    private TokenValidationParameters Base(BackchannelOptions settings) => new()
    {
        ValidIssuer = settings.IssuerUri,
        IssuerSigningKeys = keys.Current.VerificationKeys,
        ValidAlgorithms = [keys.Current.TokenSigningKey.Algorithm, .. keys.Current.Published.Select(k => k.Algorithm).Distinct()],
        RequireSignedTokens = true,
        RequireExpirationTime = true,
        ClockSkew = TimeSpan.FromSeconds(30),
        LifetimeValidator = (_, expires, _, _) => expires is { } exp && exp + TimeSpan.FromSeconds(30) > time.GetUtcNow().UtcDateTime,
    };
}
