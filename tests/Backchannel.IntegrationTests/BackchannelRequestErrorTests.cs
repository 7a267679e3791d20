using System.Net;
using System.Text;
using Backchannel.IntegrationTests.Infrastructure;

namespace Backchannel.IntegrationTests;

/// <summary>
/// Every error of the backchannel authentication endpoint reaches the client with its code, status and a description.
/// One provider for the class.
/// </summary>
public class BackchannelRequestErrorTests(BackchannelRequestErrorTests.Fixture shared) : IClassFixture<BackchannelRequestErrorTests.Fixture>
{
    /// <summary>Binding messages of at most 20 characters.</summary>
    public sealed class Fixture : SharedProvider
    {
        protected override Dictionary<string, string?> Settings() => new() { ["Backchannel:Ciba:BindingMessageMaxLength"] = "20" };
    }

    private TestProvider _provider => shared.Provider;

    [Theory]
    [InlineData("invalid_request", 400, "login_hint=alice")]
    [InlineData("invalid_scope", 400, "scope=profile&login_hint=alice")]
    [InlineData("invalid_request", 400, "scope=openid")]
    [InlineData("invalid_request", 400, "scope=openid&login_hint=alice&id_token_hint=x.y.z")]
    [InlineData("unknown_user_id", 400, "scope=openid&login_hint=nobody")]
    [InlineData("invalid_binding_message", 400, "scope=openid&login_hint=alice&binding_message=this+message+is+far+too+long")]
    [InlineData("invalid_binding_message", 400, "scope=openid&login_hint=alice&binding_message=line%0Abreak")]
    [InlineData("invalid_request", 400, "scope=openid&login_hint=alice&requested_expiry=0")]
    [InlineData("invalid_request", 400, "scope=openid&login_hint=alice&requested_expiry=ten")]
    [InlineData("invalid_request", 400, "scope=openid&login_hint=alice&login_hint=bob")]
    [InlineData("invalid_authorization_details", 400, "scope=openid&login_hint=alice&authorization_details=%7B%7D")]
    [InlineData("invalid_request", 400, "scope=openid&login_hint_token=not-a-jwt")]
    [InlineData("invalid_request", 400, "scope=openid&id_token_hint=not-a-jwt")]
    public async Task Bad_requests_get_their_error_code(string error, int status, string form)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/bc-authorize")
        {
            Content = new StringContent(form, Encoding.ASCII, "application/x-www-form-urlencoded"),
        };
        request.Headers.Authorization = new("Basic", Convert.ToBase64String(Encoding.ASCII.GetBytes($"{TestClients.Poll}:{TestClients.PollSecret}")));
        using var response = await _provider.Http.SendAsync(request);
        var body = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal(error, body.Error());
        Assert.False(string.IsNullOrWhiteSpace(body.GetProperty("error_description").GetString()));
        Assert.Equal("no-store", response.Headers.CacheControl!.ToString());
    }

    [Fact]
    public async Task A_json_body_is_invalid_request_not_a_server_error()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/bc-authorize")
        {
            Content = new StringContent("{\"scope\":\"openid\"}", Encoding.UTF8, "application/json"),
        };
        using var response = await _provider.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("invalid_request", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Wrong_secret_is_invalid_client_with_a_basic_challenge()
    {
        var (response, body) = await FormRequests.PostAsync(_provider.Http, "/bc-authorize",
            [new("scope", "openid"), new("login_hint", "alice")], (TestClients.Poll, "wrong"));
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("invalid_client", body.Error());
        Assert.StartsWith("Basic", response.Headers.WwwAuthenticate.ToString());
    }

    [Fact]
    public async Task No_client_authentication_is_invalid_client()
    {
        var (response, body) = await FormRequests.PostAsync(_provider.Http, "/bc-authorize",
            [new("client_id", TestClients.Poll), new("scope", "openid"), new("login_hint", "alice")]);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("invalid_client", body.Error());
    }

    [Fact]
    public async Task Unknown_parameters_are_ignored_and_non_ascii_binding_messages_are_shown()
    {
        var (response, body) = await FormRequests.AuthorizeAsync(_provider,
            ("scope", "email openid"), ("login_hint", "alice"), ("binding_message", "Café 🙂 5€"), ("x-unknown", "1"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(body.TryGetProperty("auth_req_id", out _));
        // The provider is shared: this request's notification is the one whose binding message starts as this one's does.
        var notification = await _provider.Device.NextAsync(match: n => n.BindingMessage?.StartsWith("Caf", StringComparison.Ordinal) == true);
        Assert.Equal("Café 🙂 5€", notification.BindingMessage);
    }

    [Fact]
    public async Task Requested_expiry_above_the_maximum_is_capped()
    {
        var (_, body) = await FormRequests.AuthorizeAsync(_provider, ("scope", "openid"), ("login_hint", "alice"), ("requested_expiry", "999999"));
        Assert.Equal(1800, body.GetProperty("expires_in").GetInt32());
    }

    [Fact]
    public async Task Token_endpoint_errors()
    {
        var basic = (TestClients.Poll, TestClients.PollSecret);
        var (missingGrant, body) = await FormRequests.PostAsync(_provider.Http, "/token", [new("auth_req_id", "x")], basic);
        Assert.Equal((HttpStatusCode.BadRequest, "invalid_request"), (missingGrant.StatusCode, body.Error()));

        (_, body) = await FormRequests.PostAsync(_provider.Http, "/token", [new("grant_type", "password")], basic);
        Assert.Equal("unsupported_grant_type", body.Error());

        (_, body) = await FormRequests.PostAsync(_provider.Http, "/token", [new("grant_type", "urn:openid:params:grant-type:ciba")], basic);
        Assert.Equal("invalid_request", body.Error());

        (_, body) = await FormRequests.PostAsync(_provider.Http, "/token",
            [new("grant_type", "refresh_token"), new("refresh_token", "x")], (TestClients.NoRefresh, TestClients.NoRefreshSecret));
        Assert.Equal("unauthorized_client", body.Error());
    }
}
