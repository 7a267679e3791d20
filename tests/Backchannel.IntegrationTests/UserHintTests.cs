using System.Net;
using Backchannel.IntegrationTests.Infrastructure;

namespace Backchannel.IntegrationTests;

/// <summary>
/// The three ways a client names the user: login_hint, login_hint_token, id_token_hint. One provider for the class, on
/// the system clock (the client assertions and login_hint_tokens are made from the real time); each test finds its device
/// notification by its binding message.
/// </summary>
public class UserHintTests(SharedSystemClockProvider shared) : IClassFixture<SharedSystemClockProvider>
{
    private TestProvider _provider => shared.Provider;

    private Task<(HttpResponseMessage Response, System.Text.Json.JsonElement Body)> AuthorizeAsJwtClientAsync(params (string, string)[] parameters) =>
        FormRequests.PostAsync(_provider.Http, "/bc-authorize",
        [
            new("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"),
            new("client_assertion", TestJwts.ClientAssertion(TestClients.JwtKey, TestClients.Jwt, _provider.Issuer)),
            new("scope", "openid"),
            .. parameters.Select(p => KeyValuePair.Create(p.Item1, p.Item2)),
        ]);

    [Theory]
    [InlineData("alice-sub")]
    [InlineData("alice")]
    [InlineData("ALICE@example.com")]
    [InlineData("+15555550100")]
    public async Task Login_hint_may_be_the_sub_username_email_or_phone(string hint)
    {
        var response = await _provider.AuthorizeAsync(hint);
        Assert.False(response.IsError, response.Raw);
        Assert.Equal("alice-sub", (await _provider.LastNotificationAsync()).Body.GetProperty("subject").GetString());
    }

    [Theory]
    [InlineData("email", "email", "bob@example.com")]
    [InlineData("phone_number", "phone_number", "+15555550100")]
    [InlineData("opaque", "id", "alice-sub")]
    [InlineData("username", "username", "bob")]
    public async Task Login_hint_token_carries_an_rfc9493_subject_identifier(string format, string member, string value)
    {
        var hintToken = TestJwts.Sign(TestClients.JwtKey, new Dictionary<string, object>
        {
            ["sub_id"] = new Dictionary<string, object> { ["format"] = format, [member] = value },
            ["exp"] = DateTimeOffset.UtcNow.AddMinutes(5).ToUnixTimeSeconds(),
        });
        var bindingMessage = "hint " + Guid.NewGuid().ToString("N")[..8];
        var (response, body) = await AuthorizeAsJwtClientAsync(("login_hint_token", hintToken), ("binding_message", bindingMessage));
        Assert.True(response.StatusCode == HttpStatusCode.OK, body.ToString());
        var subject = (await _provider.Device.ForAsync(bindingMessage)).Body.GetProperty("subject").GetString();
        Assert.Equal(value.StartsWith("bob", StringComparison.Ordinal) ? "bob-sub" : "alice-sub", subject);
    }

    [Fact]
    public async Task Expired_login_hint_token_is_expired_login_hint_token()
    {
        var hintToken = TestJwts.Sign(TestClients.JwtKey, new Dictionary<string, object>
        {
            ["sub_id"] = new Dictionary<string, object> { ["format"] = "email", ["email"] = "alice@example.com" },
            ["exp"] = DateTimeOffset.UtcNow.AddMinutes(-5).ToUnixTimeSeconds(),
        });
        var (response, body) = await AuthorizeAsJwtClientAsync(("login_hint_token", hintToken));
        Assert.Equal((HttpStatusCode.BadRequest, "expired_login_hint_token"), (response.StatusCode, body.Error()));
    }

    [Fact]
    public async Task Login_hint_token_signed_by_another_key_or_naming_nobody_is_refused()
    {
        var forged = TestJwts.Sign(TestKey.EllipticCurve(), new Dictionary<string, object>
        {
            ["sub_id"] = new Dictionary<string, object> { ["format"] = "email", ["email"] = "alice@example.com" },
        });
        var (_, body) = await AuthorizeAsJwtClientAsync(("login_hint_token", forged));
        Assert.Equal("invalid_request", body.Error());

        var nobody = TestJwts.Sign(TestClients.JwtKey, new Dictionary<string, object>
        {
            ["sub_id"] = new Dictionary<string, object> { ["format"] = "email", ["email"] = "nobody@example.com" },
        });
        (_, body) = await AuthorizeAsJwtClientAsync(("login_hint_token", nobody));
        Assert.Equal("unknown_user_id", body.Error());
    }

    [Fact]
    public async Task Id_token_hint_from_an_earlier_flow_names_its_user_for_its_client_only()
    {
        var tokens = await _provider.CompleteFlowAsync("bob");

        var again = await _provider.AuthorizeAsync(loginHint: null!, configure: r => { r.LoginHint = null; r.IdTokenHint = tokens.IdentityToken; });
        Assert.False(again.IsError, again.Raw);
        Assert.Equal("bob-sub", (await _provider.LastNotificationAsync()).Body.GetProperty("subject").GetString());

        var (response, body) = await FormRequests.PostAsync(_provider.Http, "/bc-authorize",
            [new("scope", "openid"), new("id_token_hint", tokens.IdentityToken!)], (TestClients.NoRefresh, TestClients.NoRefreshSecret));
        Assert.Equal((HttpStatusCode.BadRequest, "invalid_request"), (response.StatusCode, body.Error()));
    }
}
