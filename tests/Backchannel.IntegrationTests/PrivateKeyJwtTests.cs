using System.Net;
using Backchannel.IntegrationTests.Infrastructure;

namespace Backchannel.IntegrationTests;

/// <summary>
/// private_key_jwt client authentication (RFC 7523) at both endpoints. One provider for the class, on the system clock
/// (the assertions are made from the real time).
/// </summary>
public class PrivateKeyJwtTests(SharedSystemClockProvider shared) : IClassFixture<SharedSystemClockProvider>
{
    private TestProvider _provider => shared.Provider;

    /// <summary>A request as the private_key_jwt client; its binding message finds its device notification.</summary>
    private Task<(HttpResponseMessage Response, System.Text.Json.JsonElement Body)> AuthorizeAsync(string assertion, string? bindingMessage = null) =>
        FormRequests.PostAsync(_provider.Http, "/bc-authorize",
        [
            new("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"),
            new("client_assertion", assertion),
            new("scope", "openid"),
            new("login_hint", "alice"),
            new("binding_message", bindingMessage ?? "jwt " + Guid.NewGuid().ToString("N")[..8]),
        ]);

    [Theory]
    [InlineData("")]
    [InlineData("/token")]
    [InlineData("/bc-authorize")]
    public async Task Assertion_audience_may_be_the_issuer_the_token_endpoint_or_the_backchannel_endpoint(string path)
    {
        var bindingMessage = "jwt " + Guid.NewGuid().ToString("N")[..8];
        var (response, body) = await AuthorizeAsync(TestJwts.ClientAssertion(TestClients.JwtKey, TestClients.Jwt, _provider.Issuer + path), bindingMessage);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var authReqId = body.GetProperty("auth_req_id").GetString()!;
        using (var approval = await _provider.Device.ApproveAsync(await _provider.Device.ForAsync(bindingMessage)))
        {
            Assert.Equal(HttpStatusCode.NoContent, approval.StatusCode);
        }

        var (tokenResponse, tokens) = await FormRequests.PostAsync(_provider.Http, "/token",
        [
            new("grant_type", "urn:openid:params:grant-type:ciba"),
            new("auth_req_id", authReqId),
            new("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"),
            new("client_assertion", TestJwts.ClientAssertion(TestClients.JwtKey, TestClients.Jwt, _provider.Issuer + path)),
        ]);
        Assert.Equal(HttpStatusCode.OK, tokenResponse.StatusCode);
        Assert.True(tokens.TryGetProperty("id_token", out _));
    }

    [Fact]
    public async Task A_replayed_assertion_is_refused()
    {
        var assertion = TestJwts.ClientAssertion(TestClients.JwtKey, TestClients.Jwt, _provider.Issuer);
        Assert.Equal(HttpStatusCode.OK, (await AuthorizeAsync(assertion)).Response.StatusCode);

        var (replay, body) = await AuthorizeAsync(assertion);
        Assert.Equal(HttpStatusCode.Unauthorized, replay.StatusCode);
        Assert.Equal("invalid_client", body.Error());
        // The client learns only what every failed authentication says; the replay is in the audit log.
        Assert.Equal("Client authentication failed.", body.GetProperty("error_description").GetString());

        // The assertion stays refused.
        Assert.Equal(HttpStatusCode.Unauthorized, (await AuthorizeAsync(assertion)).Response.StatusCode);
    }

    [Fact]
    public async Task Assertions_with_a_wrong_audience_key_or_lifetime_are_refused()
    {
        var otherKey = TestKey.EllipticCurve();
        string[] refused =
        [
            TestJwts.ClientAssertion(TestClients.JwtKey, TestClients.Jwt, "https://elsewhere.example"),
            TestJwts.ClientAssertion(otherKey, TestClients.Jwt, _provider.Issuer),
            TestJwts.ClientAssertion(TestClients.JwtKey, TestClients.Jwt, _provider.Issuer, lifetime: TimeSpan.FromSeconds(-90)),
            TestJwts.ClientAssertion(TestClients.JwtKey, TestClients.Jwt, _provider.Issuer, lifetime: TimeSpan.FromHours(5)),
            TestJwts.Unsigned(new Dictionary<string, object> { ["iss"] = TestClients.Jwt, ["sub"] = TestClients.Jwt, ["aud"] = _provider.Issuer,
                ["jti"] = "x", ["exp"] = DateTimeOffset.UtcNow.AddMinutes(1).ToUnixTimeSeconds() }),
        ];

        foreach (var assertion in refused)
        {
            var (response, body) = await AuthorizeAsync(assertion);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Equal("invalid_client", body.Error());
        }
    }

    [Fact]
    public async Task A_secret_client_cannot_authenticate_with_an_assertion_and_vice_versa()
    {
        var (response, body) = await AuthorizeAsync(TestJwts.ClientAssertion(TestClients.JwtKey, TestClients.Poll, _provider.Issuer));
        Assert.Equal((HttpStatusCode.Unauthorized, "invalid_client"), (response.StatusCode, body.Error()));

        (response, body) = await FormRequests.PostAsync(_provider.Http, "/bc-authorize",
            [new("scope", "openid"), new("login_hint", "alice")], (TestClients.Jwt, "guess"));
        Assert.Equal((HttpStatusCode.Unauthorized, "invalid_client"), (response.StatusCode, body.Error()));
    }
}
