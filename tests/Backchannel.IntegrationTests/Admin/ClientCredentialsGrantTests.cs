using System.Net;
using System.Text.Json;
using Backchannel.IntegrationTests.Infrastructure;
using Duende.IdentityModel.Client;
using Microsoft.IdentityModel.JsonWebTokens;

namespace Backchannel.IntegrationTests.Admin;

/// <summary>The client_credentials grant at /token: an access token for the client itself, with the admin scope only for clients that list it.</summary>
public class ClientCredentialsGrantTests(SharedAdminProvider shared) : IClassFixture<SharedAdminProvider>
{
    private Task<TokenResponse> RequestAsync(string clientId, string secret, string? scope) =>
        shared.Provider.Http.RequestClientCredentialsTokenAsync(new ClientCredentialsTokenRequest
        {
            Address = shared.Provider.TokenEndpoint,
            ClientId = clientId,
            ClientSecret = secret,
            Scope = scope,
        });

    [Theory]
    [InlineData("backchannel:admin")]
    [InlineData(null)]
    public async Task A_client_that_lists_the_admin_scope_gets_an_access_token_without_a_user(string? scope)
    {
        var response = await RequestAsync(AdminClients.Admin, AdminClients.AdminSecret, scope);

        Assert.False(response.IsError, response.Raw);
        Assert.Equal("Bearer", response.TokenType);
        Assert.Equal("backchannel:admin", response.Scope);
        Assert.Equal(3600, response.ExpiresIn);
        Assert.Null(response.IdentityToken);
        Assert.Null(response.RefreshToken);
        Assert.Equal("no-store", response.HttpResponse!.Headers.CacheControl?.ToString());

        var token = await TokenAssertions.ValidateAccessTokenAsync(shared.Provider, response.AccessToken!);
        Assert.Equal("at+jwt", token.Typ);
        Assert.Equal(AdminClients.Admin, token.Subject);
        Assert.Equal(AdminClients.Admin, token.GetPayloadValue<string>("client_id"));
        Assert.False(token.TryGetPayloadValue<long>("auth_time", out _), "no user authenticated");
    }

    [Fact]
    public async Task A_client_without_the_grant_is_unauthorized_client()
    {
        var response = await RequestAsync(TestClients.Poll, TestClients.PollSecret, "backchannel:admin");

        Assert.Equal(HttpStatusCode.BadRequest, response.HttpStatusCode);
        Assert.Equal("unauthorized_client", response.Error);
    }

    [Theory]
    [InlineData(AdminClients.Reader, AdminClients.ReaderSecret, "backchannel:admin")]
    [InlineData(AdminClients.Reader, AdminClients.ReaderSecret, null)]
    [InlineData(AdminClients.Reader, AdminClients.ReaderSecret, "openid")]
    [InlineData(AdminClients.Admin, AdminClients.AdminSecret, "openid profile")]
    [InlineData(AdminClients.Admin, AdminClients.AdminSecret, "backchannel:admin backchannel:root")]
    public async Task A_scope_the_client_may_not_have_is_invalid_scope(string clientId, string secret, string? scope)
    {
        var response = await RequestAsync(clientId, secret, scope);

        Assert.Equal(HttpStatusCode.BadRequest, response.HttpStatusCode);
        Assert.Equal("invalid_scope", response.Error);
    }

    [Fact]
    public async Task A_wrong_secret_is_invalid_client_and_the_grant_is_advertised()
    {
        var (response, body) = await FormRequests.PostAsync(shared.Provider.Http, "/token",
            [new("grant_type", "client_credentials"), new("scope", "backchannel:admin")], (AdminClients.Admin, "wrong-secret"));
        using var discovery = JsonDocument.Parse(await shared.Provider.Http.GetStringAsync("/.well-known/openid-configuration"));

        Assert.Equal((HttpStatusCode.Unauthorized, "invalid_client"), (response.StatusCode, body.Error()));
        Assert.Contains("client_credentials", discovery.RootElement.GetProperty("grant_types_supported").EnumerateArray().Select(g => g.GetString()));
        Assert.DoesNotContain("backchannel:admin", discovery.RootElement.GetProperty("scopes_supported").EnumerateArray().Select(g => g.GetString()));
    }

    [Fact]
    public async Task The_client_s_token_opens_no_user_s_userinfo()
    {
        var token = await AdminApi.TokenAsync(shared.Provider);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/userinfo");
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);

        using var response = await shared.Provider.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }
}
