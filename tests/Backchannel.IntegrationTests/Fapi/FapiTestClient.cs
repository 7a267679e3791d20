using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Nodes;
using Backchannel.IntegrationTests.Infrastructure;

namespace Backchannel.IntegrationTests.Fapi;

/// <summary>
/// A FAPI-CIBA relying party over raw HTTP: private_key_jwt client assertions, signed authentication requests, DPoP proofs
/// and an <c>x-fapi-interaction-id</c> header, each of which a test may leave out or spoil. On the system clock.
/// With <paramref name="http"/> it talks to that address instead of the issuer's (the mutual-TLS alias, with the
/// certificate that HttpClient presents); with <paramref name="mutualTls"/> it authenticates by that certificate
/// (tls_client_auth: client_id in the form) instead of client assertions.
/// </summary>
internal sealed class FapiTestClient(TestProvider provider, string clientId, TestKey key, HttpClient? http = null, bool mutualTls = false)
{
    public const string AssertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

    public string ClientId { get; } = clientId;

    public TestKey Key { get; } = key;

    /// <summary>The client's DPoP key.</summary>
    public DpopKey Dpop { get; } = new();

    /// <summary>A client assertion for the issuer (the audience FAPI 2.0 names), unless <paramref name="audience"/> says otherwise.</summary>
    public string Assertion(string? audience = null, TestKey? signingKey = null, string? jti = null, string? issuer = null)
    {
        var now = DateTimeOffset.UtcNow;
        return TestJwts.Sign(signingKey ?? Key, new Dictionary<string, object>
        {
            ["iss"] = issuer ?? ClientId,
            ["sub"] = issuer ?? ClientId,
            ["aud"] = audience ?? provider.Issuer,
            ["jti"] = jti ?? Guid.NewGuid().ToString("N"),
            ["iat"] = now.ToUnixTimeSeconds(),
            ["exp"] = now.AddMinutes(2).ToUnixTimeSeconds(),
        });
    }

    /// <summary>The claims of a valid request object of this client; tests change or remove some.</summary>
    public Dictionary<string, object> RequestClaims(string bindingMessage)
    {
        var claims = TestJwts.RequestObjectClaims(ClientId, provider.Issuer);
        claims["binding_message"] = bindingMessage;
        claims["scope"] = "openid profile";
        return claims;
    }

    public string RequestObject(string bindingMessage, Action<Dictionary<string, object>>? change = null, TestKey? signingKey = null)
    {
        var claims = RequestClaims(bindingMessage);
        change?.Invoke(claims);
        return TestJwts.Sign(signingKey ?? Key, claims, "oauth-authz-req+jwt");
    }

    /// <summary>
    /// POSTs a form to <paramref name="path"/>, authenticated with <paramref name="assertion"/> (a fresh one when null; none
    /// when empty), with a DPoP proof for that endpoint when <paramref name="dpop"/>.
    /// </summary>
    public async Task<(HttpResponseMessage Response, JsonElement Body)> PostAsync(string path, IEnumerable<(string Name, string Value)> form,
        string? assertion = null, bool dpop = false, string? interactionId = null)
    {
        var fields = form.Select(p => KeyValuePair.Create(p.Name, p.Value)).ToList();
        if (mutualTls)
        {
            fields.Add(KeyValuePair.Create("client_id", ClientId));
        }
        else if (assertion is null or { Length: > 0 })
        {
            fields.Add(KeyValuePair.Create("client_assertion_type", AssertionType));
            fields.Add(KeyValuePair.Create("client_assertion", assertion ?? Assertion()));
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new FormUrlEncodedContent(fields) };
        if (dpop)
        {
            request.Headers.Add("DPoP", Dpop.Proof("POST", provider.Issuer + path, DateTimeOffset.UtcNow));
        }

        if (interactionId is not null)
        {
            request.Headers.TryAddWithoutValidation(InteractionIdHeader, interactionId);
        }

        return await SendAsync(http ?? provider.Http, request);
    }

    public const string InteractionIdHeader = "x-fapi-interaction-id";

    /// <summary>A signed authentication request (FAPI 1.0's only kind) with a fresh binding message; also the message.</summary>
    public async Task<(HttpResponseMessage Response, JsonElement Body, string BindingMessage)> AuthorizeSignedAsync(
        Action<Dictionary<string, object>>? change = null, TestKey? signingKey = null, string? assertion = null, params (string, string)[] extra)
    {
        var bindingMessage = "fapi " + Guid.NewGuid().ToString("N")[..8];
        var (response, body) = await PostAsync("/bc-authorize", [("request", RequestObject(bindingMessage, change, signingKey)), .. extra], assertion);
        return (response, body, bindingMessage);
    }

    /// <summary>An unsigned authentication request for alice with a fresh binding message (FAPI 2.0 allows it); also the message.</summary>
    public async Task<(HttpResponseMessage Response, JsonElement Body, string BindingMessage)> AuthorizeAsync(params (string, string)[] extra)
    {
        var bindingMessage = "fapi " + Guid.NewGuid().ToString("N")[..8];
        var (response, body) = await PostAsync("/bc-authorize",
            [("scope", "openid profile"), ("login_hint", "alice"), ("binding_message", bindingMessage), .. extra]);
        return (response, body, bindingMessage);
    }

    /// <summary>An accepted request with <paramref name="extra"/> parameters, approved on the device: its auth_req_id.</summary>
    public async Task<string> ApprovedAsync(bool signed, params (string, string)[] extra)
    {
        // A signed request carries every parameter inside its request object.
        var (response, body, bindingMessage) = signed
            ? await AuthorizeSignedAsync(claims => { foreach (var (name, value) in extra) { claims[name] = value; } })
            : await AuthorizeAsync(extra);
        Assert.True(response.StatusCode == System.Net.HttpStatusCode.OK, body.ToString());
        using var approval = await provider.Device.ApproveAsync(await provider.Device.ForAsync(bindingMessage));
        Assert.Equal(System.Net.HttpStatusCode.NoContent, approval.StatusCode);
        return body.GetProperty("auth_req_id").GetString()!;
    }

    /// <summary>The CIBA grant: the token endpoint's answer to this auth_req_id.</summary>
    public Task<(HttpResponseMessage Response, JsonElement Body)> RedeemAsync(string authReqId, bool dpop = true, string? assertion = null) =>
        PostAsync("/token", [("grant_type", "urn:openid:params:grant-type:ciba"), ("auth_req_id", authReqId)], assertion, dpop);

    /// <summary>GET /userinfo with the DPoP-bound access token and a proof of this client's DPoP key.</summary>
    public async Task<(HttpResponseMessage Response, JsonElement Body)> UserInfoAsync(string accessToken)
    {
        var url = provider.Issuer + "/userinfo";
        return await DpopKey.UserInfoAsync(provider.Http, url, "DPoP", accessToken, Dpop.Proof("GET", url, DateTimeOffset.UtcNow, accessToken));
    }

    /// <summary>The client's public key as a registration's jwks member.</summary>
    public static JsonObject Jwks(TestKey key)
    {
        var jwk = new JsonObject { ["kty"] = key.PublicJwk.Kty, ["kid"] = key.PublicJwk.Kid, ["use"] = "sig" };
        if (key.PublicJwk.Kty == "RSA")
        {
            jwk["n"] = key.PublicJwk.N;
            jwk["e"] = key.PublicJwk.E;
        }
        else
        {
            jwk["crv"] = key.PublicJwk.Crv;
            jwk["x"] = key.PublicJwk.X;
            jwk["y"] = key.PublicJwk.Y;
        }

        return new JsonObject { ["keys"] = new JsonArray(jwk) };
    }

    public static async Task<(HttpResponseMessage Response, JsonElement Body)> SendAsync(HttpClient http, HttpRequestMessage request)
    {
        var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone());
    }

    /// <summary>The x-fapi-interaction-id of an answer (exactly one).</summary>
    public static string InteractionId(HttpResponseMessage response) =>
        Assert.Single(response.Headers.TryGetValues(InteractionIdHeader, out var values) ? values : []);

    public static AuthenticationHeaderValue Bearer(string token) => new("Bearer", token);
}
