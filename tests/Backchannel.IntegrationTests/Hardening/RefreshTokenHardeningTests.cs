using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Backchannel.IntegrationTests.Infrastructure;
using Duende.IdentityModel.Client;

namespace Backchannel.IntegrationTests.Hardening;

/// <summary>
/// Issue 16, item 10: a reused refresh token revokes its family whatever else the request says, a revoked family's access
/// tokens stop working, and a refresh without openid gets no ID token. One provider for the class.
/// </summary>
public sealed class RefreshTokenHardeningTests(SharedProvider shared) : IClassFixture<SharedProvider>
{
    private TestProvider Provider => shared.Provider;

    private Task<TokenResponse> RefreshAsync(string refreshToken, string? scope = null) =>
        Provider.Http.RequestRefreshTokenAsync(new RefreshTokenRequest
        {
            Address = Provider.TokenEndpoint,
            ClientId = TestClients.Poll,
            ClientSecret = TestClients.PollSecret,
            RefreshToken = refreshToken,
            Scope = scope,
        });

    private async Task<(HttpStatusCode Status, string Challenge, JsonElement Body)> UserInfoAsync(string accessToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/userinfo");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        using var response = await Provider.Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, response.Headers.WwwAuthenticate.ToString(), text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone());
    }

    private static void AssertError(TokenResponse response, string error) =>
        Assert.True(response.Error == error, $"expected {error}, got {(response.IsError ? $"{response.Error}: {response.ErrorDescription}" : "tokens")}");

    [Fact]
    public async Task Reusing_a_consumed_refresh_token_with_a_scope_it_never_had_is_invalid_grant_and_revokes_the_family()
    {
        var first = await Provider.CompleteFlowAsync();
        var second = await RefreshAsync(first.RefreshToken!);
        Assert.False(second.IsError, second.ErrorDescription);

        // The reuse is what matters, not the scope: invalid_grant, not invalid_scope.
        AssertError(await RefreshAsync(first.RefreshToken!, scope: "openid phone"), "invalid_grant");

        // The newest refresh token of the family no longer works.
        AssertError(await RefreshAsync(second.RefreshToken!), "invalid_grant");
    }

    [Fact]
    public async Task Access_tokens_of_a_revoked_family_are_refused_at_userinfo()
    {
        var first = await Provider.CompleteFlowAsync();
        var second = await RefreshAsync(first.RefreshToken!);
        Assert.False(second.IsError, second.ErrorDescription);
        Assert.Equal(HttpStatusCode.OK, (await UserInfoAsync(first.AccessToken!)).Status);
        Assert.Equal(HttpStatusCode.OK, (await UserInfoAsync(second.AccessToken!)).Status);

        AssertError(await RefreshAsync(first.RefreshToken!), "invalid_grant");

        foreach (var accessToken in new[] { first.AccessToken!, second.AccessToken! })
        {
            var (status, challenge, body) = await UserInfoAsync(accessToken);
            Assert.True(status == HttpStatusCode.Unauthorized, $"/userinfo answered {(int)status} for an access token of a revoked family");
            Assert.Equal("invalid_token", body.Error());
            Assert.Contains("error=\"invalid_token\"", challenge, StringComparison.Ordinal);
        }

        // Another grant of the same user and client is unaffected.
        var other = await Provider.CompleteFlowAsync();
        Assert.Equal(HttpStatusCode.OK, (await UserInfoAsync(other.AccessToken!)).Status);
    }

    [Fact]
    public async Task A_refresh_narrowed_to_scopes_without_openid_returns_no_id_token()
    {
        var tokens = await Provider.CompleteFlowAsync();

        var withoutOpenId = await RefreshAsync(tokens.RefreshToken!, scope: "profile email");
        Assert.False(withoutOpenId.IsError, withoutOpenId.ErrorDescription);
        Assert.Null(withoutOpenId.IdentityToken);
        Assert.False(withoutOpenId.Json!.Value.TryGetProperty("id_token", out _));
        Assert.Equal("profile email", (await TokenAssertions.ValidateAccessTokenAsync(Provider, withoutOpenId.AccessToken!)).GetClaim("scope").Value);

        // The family keeps its scope: the next refresh with openid has an ID token again.
        var withOpenId = await RefreshAsync(withoutOpenId.RefreshToken!, scope: "openid profile");
        Assert.False(withOpenId.IsError, withOpenId.ErrorDescription);
        await TokenAssertions.ValidateIdTokenAsync(Provider, withOpenId.IdentityToken!, TestClients.Poll);
    }
}
