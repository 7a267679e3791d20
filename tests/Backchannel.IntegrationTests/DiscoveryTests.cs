using System.Net;
using System.Text.Json;
using Backchannel.IntegrationTests.Infrastructure;
using Microsoft.IdentityModel.Tokens;

namespace Backchannel.IntegrationTests;

public class DiscoveryTests
{
    [Fact]
    public async Task Discovery_publishes_the_ciba_metadata_and_jwks_the_current_and_next_keys()
    {
        await using var provider = await TestProvider.StartAsync();
        var document = JsonDocument.Parse(await provider.Http.GetStringAsync("/.well-known/openid-configuration")).RootElement;

        Assert.Equal(provider.Issuer, document.GetProperty("issuer").GetString());
        Assert.Equal(provider.Issuer + "/bc-authorize", document.GetProperty("backchannel_authentication_endpoint").GetString());
        Assert.Equal(provider.Issuer + "/token", document.GetProperty("token_endpoint").GetString());
        Assert.Equal(provider.Issuer + "/jwks", document.GetProperty("jwks_uri").GetString());
        Assert.Equal(provider.Issuer + "/userinfo", document.GetProperty("userinfo_endpoint").GetString());
        Assert.Equal(["poll", "ping", "push"], Strings(document, "backchannel_token_delivery_modes_supported"));
        Assert.Contains("urn:openid:params:grant-type:ciba", Strings(document, "grant_types_supported"));
        Assert.Contains("PS256", Strings(document, "backchannel_authentication_request_signing_alg_values_supported"));
        Assert.DoesNotContain("HS256", Strings(document, "backchannel_authentication_request_signing_alg_values_supported"));
        Assert.True(document.GetProperty("backchannel_user_code_parameter_supported").GetBoolean());
        Assert.Equal(["client_secret_basic", "client_secret_post", "private_key_jwt"], Strings(document, "token_endpoint_auth_methods_supported"));
        // The default first; a client may ask for another with id_token_signed_response_alg.
        Assert.Equal(["RS256", "PS256", "ES256"], Strings(document, "id_token_signing_alg_values_supported"));
        Assert.False(document.GetProperty("tls_client_certificate_bound_access_tokens").GetBoolean());
        Assert.Equal(["email", "phone_number", "opaque", "username", "iss_sub", "account"], Strings(document, "backchannel_endpoint_login_hint_token_types_supported"));

        // Registration is off by default: not in discovery, and its endpoints are not there.
        Assert.False(document.TryGetProperty("registration_endpoint", out _));
        using (var register = await provider.Http.PostAsync("/register", new StringContent("{}", System.Text.Encoding.UTF8, "application/json")))
        {
            Assert.Equal(HttpStatusCode.NotFound, register.StatusCode);
        }

        Assert.Equal(HttpStatusCode.NotFound, (await provider.Http.GetAsync($"/register/{TestClients.Poll}")).StatusCode);

        var jwks = new JsonWebKeySet(await provider.Http.GetStringAsync("/jwks"));
        Assert.Equal(2, jwks.Keys.Count(k => k.Alg == "RS256"));
        Assert.All(jwks.Keys, k => Assert.False(k.HasPrivateKey));
        Assert.All(jwks.Keys, k => Assert.Equal(Base64UrlEncoder.Encode(k.ComputeJwkThumbprint()), k.Kid));
    }

    [Fact]
    public async Task Tokens_are_signed_with_the_configured_algorithm()
    {
        await using var provider = await TestProvider.StartAsync(new Dictionary<string, string?> { ["Backchannel:Tokens:SigningAlgorithm"] = "ES256" });
        var tokens = await provider.CompleteFlowAsync();
        var idToken = await TokenAssertions.ValidateIdTokenAsync(provider, tokens.IdentityToken!, TestClients.Poll);
        Assert.Equal("ES256", idToken.Alg);
        Assert.Equal("ES256", TestJwts.Read(tokens.AccessToken!).Alg);
    }

    private static string[] Strings(JsonElement document, string name) =>
        document.GetProperty(name).EnumerateArray().Select(e => e.GetString()!).ToArray();
}
