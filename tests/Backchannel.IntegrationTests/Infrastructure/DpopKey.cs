using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.IdentityModel.Tokens;

namespace Backchannel.IntegrationTests.Infrastructure;

/// <summary>A client's DPoP key (ES256) and the proofs it signs (RFC 9449 4.2), good ones and deliberately bad ones.</summary>
internal sealed class DpopKey
{
    private readonly ECDsa _key = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    public Dictionary<string, object> PublicJwk
    {
        get
        {
            var q = _key.ExportParameters(false).Q;
            return new() { ["kty"] = "EC", ["crv"] = "P-256", ["x"] = Base64UrlEncoder.Encode(q.X), ["y"] = Base64UrlEncoder.Encode(q.Y) };
        }
    }

    /// <summary>The RFC 7638 thumbprint: what cnf.jkt of a token bound to this key holds.</summary>
    public string Thumbprint
    {
        get
        {
            var jwk = PublicJwk;
            return Base64UrlEncoder.Encode(SHA256.HashData(Encoding.UTF8.GetBytes(
                $"{{\"crv\":\"P-256\",\"kty\":\"EC\",\"x\":\"{jwk["x"]}\",\"y\":\"{jwk["y"]}\"}}")));
        }
    }

    /// <summary>A proof for <paramref name="method"/> <paramref name="url"/> at <paramref name="now"/>; <paramref name="change"/> alters its claims.</summary>
    public string Proof(string method, string url, DateTimeOffset now, string? accessToken = null, string? nonce = null,
        Action<Dictionary<string, object>>? change = null, string alg = "ES256")
    {
        var header = new Dictionary<string, object> { ["typ"] = "dpop+jwt", ["alg"] = alg, ["jwk"] = PublicJwk };
        var claims = new Dictionary<string, object>
        {
            ["jti"] = Guid.NewGuid().ToString("N"), ["htm"] = method, ["htu"] = url, ["iat"] = now.ToUnixTimeSeconds(),
        };
        if (accessToken is not null)
        {
            claims["ath"] = Base64UrlEncoder.Encode(SHA256.HashData(Encoding.ASCII.GetBytes(accessToken)));
        }

        if (nonce is not null)
        {
            claims["nonce"] = nonce;
        }

        change?.Invoke(claims);
        var input = Base64UrlEncoder.Encode(JsonSerializer.Serialize(header)) + "." + Base64UrlEncoder.Encode(JsonSerializer.Serialize(claims));
        if (alg == "none")
        {
            return input + ".";
        }

        return input + "." + Base64UrlEncoder.Encode(_key.SignData(Encoding.ASCII.GetBytes(input), HashAlgorithmName.SHA256));
    }

    /// <summary>A form post with Basic client authentication and, when given, a DPoP header.</summary>
    public static async Task<(HttpResponseMessage Response, JsonElement Body)> PostAsync(HttpClient http, string url, string? proof,
        (string Id, string Secret) client, params (string Name, string Value)[] form)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, url)
        {
            Content = new FormUrlEncodedContent(form.Select(p => KeyValuePair.Create(p.Name, p.Value))),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes($"{Uri.EscapeDataString(client.Id)}:{Uri.EscapeDataString(client.Secret)}")));
        if (proof is not null)
        {
            request.Headers.Add("DPoP", proof);
        }

        var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone());
    }

    /// <summary>GET /userinfo with <c>Authorization: {scheme} {token}</c> and, when given, a DPoP header.</summary>
    public static async Task<(HttpResponseMessage Response, JsonElement Body)> UserInfoAsync(HttpClient http, string url, string scheme,
        string token, string? proof)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.TryAddWithoutValidation("Authorization", $"{scheme} {token}");
        if (proof is not null)
        {
            request.Headers.Add("DPoP", proof);
        }

        var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone());
    }
}
