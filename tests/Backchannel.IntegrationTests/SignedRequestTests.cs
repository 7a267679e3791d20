using System.Net;
using System.Text.Json;
using Backchannel.IntegrationTests.Infrastructure;

namespace Backchannel.IntegrationTests;

/// <summary>
/// Signed authentication requests (CIBA 7.1.1) and the conformance suite's request-object checks. One provider for the
/// class, on the system clock (the request objects are made from the real time).
/// </summary>
public class SignedRequestTests(SharedSystemClockProvider shared) : IClassFixture<SharedSystemClockProvider>
{
    private TestProvider _provider => shared.Provider;

    private Task<(HttpResponseMessage Response, JsonElement Body)> SendAsync(string requestObject, params (string, string)[] extra) =>
        FormRequests.PostAsync(_provider.Http, "/bc-authorize",
        [
            new("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"),
            new("client_assertion", TestJwts.ClientAssertion(TestClients.SignedKey, TestClients.Signed, _provider.Issuer)),
            new("request", requestObject),
            .. extra.Select(p => KeyValuePair.Create(p.Item1, p.Item2)),
        ]);

    private string Sign(Action<Dictionary<string, object>>? change = null, TestKey? key = null, string? type = null)
    {
        var claims = TestJwts.RequestObjectClaims(TestClients.Signed, _provider.Issuer);
        change?.Invoke(claims);
        return TestJwts.Sign(key ?? TestClients.SignedKey, claims, type);
    }

    [Fact]
    public async Task A_valid_signed_request_is_accepted_with_requested_expiry_as_number_or_string()
    {
        // The provider is shared: a binding message of this request alone finds its device notification.
        var bindingMessage = "signed " + Guid.NewGuid().ToString("N")[..8];
        var (response, body) = await SendAsync(Sign(c => { c["requested_expiry"] = 300; c["binding_message"] = bindingMessage; }));
        Assert.True(response.StatusCode == HttpStatusCode.OK, body.ToString());
        Assert.Equal(300, body.GetProperty("expires_in").GetInt32());
        Assert.Equal(bindingMessage, (await _provider.Device.ForAsync(bindingMessage)).BindingMessage);

        (response, body) = await SendAsync(Sign(c => c["requested_expiry"] = "200", type: "oauth-authz-req+JWT"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(200, body.GetProperty("expires_in").GetInt32());
    }

    [Fact]
    public async Task An_unsigned_request_from_a_client_that_registered_signing_is_refused()
    {
        var (response, body) = await FormRequests.PostAsync(_provider.Http, "/bc-authorize",
        [
            new("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"),
            new("client_assertion", TestJwts.ClientAssertion(TestClients.SignedKey, TestClients.Signed, _provider.Issuer)),
            new("scope", "openid"),
            new("login_hint", "alice"),
        ]);
        Assert.Equal((HttpStatusCode.BadRequest, "invalid_request"), (response.StatusCode, body.Error()));
    }

    public static TheoryData<string> BadRequestObjects => new()
    {
        "missing-aud", "bad-aud", "missing-iss", "bad-iss", "missing-exp", "expired-exp", "exp-70-min-future", "missing-iat",
        "iat-in-future", "missing-nbf", "nbf-10-min-future", "nbf-70-min-past", "missing-jti", "alg-none", "bad-signature",
        "signed-by-other-key", "rs256-instead-of-registered-ps256", "scope-outside", "multiple-hints",
    };

    [Theory]
    [MemberData(nameof(BadRequestObjects))]
    public async Task Request_objects_failing_a_rule_are_invalid_request(string failure)
    {
        var now = DateTimeOffset.UtcNow;
        var requestObject = failure switch
        {
            "missing-aud" => Sign(c => c.Remove("aud")),
            "bad-aud" => Sign(c => c["aud"] = "https://other.example"),
            "missing-iss" => Sign(c => c.Remove("iss")),
            "bad-iss" => Sign(c => c["iss"] = "someone-else"),
            "missing-exp" => Sign(c => c.Remove("exp")),
            "expired-exp" => Sign(c => c["exp"] = now.AddMinutes(-5).ToUnixTimeSeconds()),
            "exp-70-min-future" => Sign(c => c["exp"] = now.AddMinutes(70).ToUnixTimeSeconds()),
            "missing-iat" => Sign(c => c.Remove("iat")),
            "iat-in-future" => Sign(c => c["iat"] = now.AddMinutes(10).ToUnixTimeSeconds()),
            "missing-nbf" => Sign(c => c.Remove("nbf")),
            "nbf-10-min-future" => Sign(c => c["nbf"] = now.AddMinutes(10).ToUnixTimeSeconds()),
            "nbf-70-min-past" => Sign(c => { c["nbf"] = now.AddMinutes(-70).ToUnixTimeSeconds(); c["exp"] = now.AddMinutes(-15).ToUnixTimeSeconds(); }),
            "missing-jti" => Sign(c => c.Remove("jti")),
            "alg-none" => TestJwts.Unsigned(TestJwts.RequestObjectClaims(TestClients.Signed, _provider.Issuer)),
            "bad-signature" => Sign()[..^4] + "AAAA",
            "signed-by-other-key" => Sign(key: TestKey.Rsa()),
            "rs256-instead-of-registered-ps256" => Sign(key: TestClientsRs256()),
            "scope-outside" => Sign(),
            "multiple-hints" => Sign(c => c["id_token_hint"] = "x.y.z"),
            _ => throw new ArgumentOutOfRangeException(nameof(failure)),
        };

        var (response, body) = failure == "scope-outside" ? await SendAsync(requestObject, ("scope", "openid")) : await SendAsync(requestObject);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("invalid_request", body.Error());
    }

    [Fact]
    public async Task A_request_object_is_accepted_once()
    {
        var requestObject = Sign();
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(requestObject)).Response.StatusCode);
        var (replay, body) = await SendAsync(requestObject);
        Assert.Equal((HttpStatusCode.BadRequest, "invalid_request"), (replay.StatusCode, body.Error()));
    }

    /// <summary>The signed client's own RSA key, but announcing RS256 instead of its registered PS256.</summary>
    private static TestKey TestClientsRs256() => TestKey.FromSecurityKey(TestClients.SignedKey, "RS256");
}
