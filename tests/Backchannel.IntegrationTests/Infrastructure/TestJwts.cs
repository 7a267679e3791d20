using System.Security.Claims;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Backchannel.IntegrationTests.Infrastructure;

/// <summary>JWTs a client makes: client assertions, signed requests, login_hint_tokens.</summary>
internal static class TestJwts
{
    private static readonly JsonWebTokenHandler Handler = new() { SetDefaultTimesOnTokenCreation = false };

    public static string Sign(TestKey key, IDictionary<string, object> claims, string? type = null)
    {
        var descriptor = new SecurityTokenDescriptor { Claims = claims, SigningCredentials = key.Credentials };
        if (type is not null)
        {
            descriptor.TokenType = type;
        }

        return Handler.CreateToken(descriptor);
    }

    public static string Unsigned(IDictionary<string, object> claims) =>
        Handler.CreateToken(new SecurityTokenDescriptor { Claims = claims });

    public static string ClientAssertion(TestKey key, string clientId, string audience, string? jti = null, TimeSpan? lifetime = null)
    {
        var now = DateTimeOffset.UtcNow;
        return Sign(key, new Dictionary<string, object>
        {
            ["iss"] = clientId,
            ["sub"] = clientId,
            ["aud"] = audience,
            ["jti"] = jti ?? Guid.NewGuid().ToString("N"),
            ["iat"] = now.ToUnixTimeSeconds(),
            ["exp"] = now.Add(lifetime ?? TimeSpan.FromMinutes(2)).ToUnixTimeSeconds(),
        });
    }

    /// <summary>The claims of a valid signed authentication request; tests remove or change some.</summary>
    public static Dictionary<string, object> RequestObjectClaims(string clientId, string issuer, string loginHint = "alice")
    {
        var now = DateTimeOffset.UtcNow;
        return new Dictionary<string, object>
        {
            ["iss"] = clientId,
            ["aud"] = issuer,
            ["exp"] = now.AddMinutes(5).ToUnixTimeSeconds(),
            ["iat"] = now.ToUnixTimeSeconds(),
            ["nbf"] = now.ToUnixTimeSeconds(),
            ["jti"] = Guid.NewGuid().ToString("N"),
            ["scope"] = "openid",
            ["login_hint"] = loginHint,
            ["binding_message"] = "signed request",
        };
    }

    public static JsonWebToken Read(string jwt) => new(jwt);

    public static IEnumerable<Claim> Claims(string jwt) => new JsonWebToken(jwt).Claims;
}
