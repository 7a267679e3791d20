using Microsoft.IdentityModel.Tokens;

namespace Backchannel.Tests.Support;

/// <summary>Settings entries of the <c>Backchannel</c> section for clients (RFC 7591 vocabulary) and users.</summary>
public static class TestSettings
{
    public const string NotificationEndpoint = "https://rp.example.com/ciba/notify";

    /// <summary>A client authenticating with a secret (client_secret_basic unless <paramref name="method"/> says otherwise).</summary>
    public static IEnumerable<KeyValuePair<string, string?>> SecretClient(int index, string clientId, string secret, string mode = "poll",
        string method = "client_secret_basic")
    {
        var prefix = $"Clients:{index}:";
        yield return new(prefix + "client_id", clientId);
        yield return new(prefix + "client_secret", secret);
        yield return new(prefix + "token_endpoint_auth_method", method);
        yield return new(prefix + "backchannel_token_delivery_mode", mode);
        if (mode is "ping" or "push")
        {
            yield return new(prefix + "backchannel_client_notification_endpoint", NotificationEndpoint);
        }
    }

    /// <summary>A private_key_jwt client whose inline jwks holds <paramref name="publicJwk"/>.</summary>
    public static IEnumerable<KeyValuePair<string, string?>> JwtClient(int index, string clientId, JsonWebKey publicJwk, string mode = "poll")
    {
        var prefix = $"Clients:{index}:";
        yield return new(prefix + "client_id", clientId);
        yield return new(prefix + "token_endpoint_auth_method", "private_key_jwt");
        yield return new(prefix + "backchannel_token_delivery_mode", mode);
        var key = prefix + "jwks:keys:0:";
        yield return new(key + "kty", publicJwk.Kty);
        yield return new(key + "use", "sig");
        if (!string.IsNullOrEmpty(publicJwk.Kid))
        {
            yield return new(key + "kid", publicJwk.Kid);
        }

        if (publicJwk.Kty == JsonWebAlgorithmsKeyTypes.RSA)
        {
            yield return new(key + "n", publicJwk.N);
            yield return new(key + "e", publicJwk.E);
        }
        else
        {
            yield return new(key + "crv", publicJwk.Crv);
            yield return new(key + "x", publicJwk.X);
            yield return new(key + "y", publicJwk.Y);
        }
    }

    /// <summary>A user of the built-in directory.</summary>
    public static IEnumerable<KeyValuePair<string, string?>> User(int index, string sub, string username)
    {
        yield return new($"Users:{index}:sub", sub);
        yield return new($"Users:{index}:username", username);
        yield return new($"Users:{index}:email", username + "@example.com");
    }
}
