using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Backchannel.IntegrationTests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.Tokens;

namespace Backchannel.IntegrationTests.Fapi;

/// <summary>
/// RSA keys of fewer than 2048 bits never verify a client's JWT, also when they come from a jwks_uri (a registered jwks
/// refuses them already): a FAPI client whose jwks_uri serves a 1024-bit key cannot authenticate with it, while the same
/// client's 2048-bit key works. The jwks_uri host is a small Kestrel app of the test.
/// </summary>
public class FapiKeySizeTests(SharedFapiProvider shared) : IClassFixture<SharedFapiProvider>
{
    [Fact]
    public async Task A_1024_bit_rsa_key_from_a_jwks_uri_does_not_authenticate_and_a_2048_bit_one_does()
    {
        using var shortKey = RSA.Create(1024);
        using var longKey = RSA.Create(2048);
        var port = FreePort.Next();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, port));
        await using var jwksHost = builder.Build();
        var jwks = new JsonObject { ["keys"] = new JsonArray(Jwk(shortKey, "short"), Jwk(longKey, "long")) }.ToJsonString();
        jwksHost.MapGet("/jwks", () => Results.Text(jwks, "application/json"));
        await jwksHost.StartAsync();

        var provider = shared.Provider;
        var (registration, registered) = await RegistrationRequests.RegisterAsync(provider.Http, new JsonObject
        {
            ["token_endpoint_auth_method"] = "private_key_jwt",
            ["jwks_uri"] = $"http://127.0.0.1:{port}/jwks",
            ["backchannel_token_delivery_mode"] = "poll",
        }, initialAccessToken: null);
        Assert.True(registration.StatusCode == HttpStatusCode.Created, registered.ToString());
        var clientId = registered.GetProperty("client_id").GetString()!;

        async Task<HttpStatusCode> AuthorizeWith(RSA key, string kid)
        {
            var (response, _) = await FormRequests.PostAsync(provider.Http, "/bc-authorize",
            [
                new("client_assertion_type", FapiTestClient.AssertionType),
                new("client_assertion", Ps256(key, kid, clientId, provider.Issuer)),
                new("scope", "openid"),
                new("login_hint", "alice"),
                new("binding_message", "key size " + kid),
            ]);
            return response.StatusCode;
        }

        Assert.Equal(HttpStatusCode.Unauthorized, await AuthorizeWith(shortKey, "short"));
        Assert.Equal(HttpStatusCode.OK, await AuthorizeWith(longKey, "long"));
    }

    private static JsonObject Jwk(RSA key, string kid)
    {
        var parameters = key.ExportParameters(false);
        return new JsonObject
        {
            ["kty"] = "RSA", ["kid"] = kid, ["use"] = "sig", ["alg"] = "PS256",
            ["n"] = Base64UrlEncoder.Encode(parameters.Modulus), ["e"] = Base64UrlEncoder.Encode(parameters.Exponent),
        };
    }

    /// <summary>A PS256 client assertion signed by hand (IdentityModel will not sign with a key under 2048 bits).</summary>
    private static string Ps256(RSA key, string kid, string clientId, string audience)
    {
        var now = DateTimeOffset.UtcNow;
        var header = JsonSerializer.Serialize(new Dictionary<string, object> { ["alg"] = "PS256", ["typ"] = "JWT", ["kid"] = kid });
        var payload = JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["iss"] = clientId, ["sub"] = clientId, ["aud"] = audience, ["jti"] = Guid.NewGuid().ToString("N"),
            ["iat"] = now.ToUnixTimeSeconds(), ["exp"] = now.AddMinutes(2).ToUnixTimeSeconds(),
        });
        var input = Base64UrlEncoder.Encode(header) + "." + Base64UrlEncoder.Encode(payload);
        return input + "." + Base64UrlEncoder.Encode(key.SignData(Encoding.ASCII.GetBytes(input), HashAlgorithmName.SHA256, RSASignaturePadding.Pss));
    }
}
