using Backchannel.IntegrationTests.Infrastructure;
using Duende.IdentityModel.Client;

namespace Backchannel.IntegrationTests;

/// <summary>Refresh tokens rotate on use; a reused one revokes its whole family; they are bound to their client. One provider for the class.</summary>
public class RefreshTokenTests(SharedProvider shared) : IClassFixture<SharedProvider>
{
    private static Task<TokenResponse> RefreshAsync(TestProvider provider, string refreshToken, string clientId = TestClients.Poll,
        string secret = TestClients.PollSecret, string? scope = null) =>
        provider.Http.RequestRefreshTokenAsync(new RefreshTokenRequest
        {
            Address = provider.TokenEndpoint,
            ClientId = clientId,
            ClientSecret = secret,
            RefreshToken = refreshToken,
            Scope = scope,
        });

    [Fact]
    public async Task Refresh_rotates_and_reuse_revokes_the_family()
    {
        var provider = shared.Provider;
        var first = await provider.CompleteFlowAsync();

        var second = await RefreshAsync(provider, first.RefreshToken!);
        Assert.False(second.IsError, second.ErrorDescription);
        Assert.NotEqual(first.RefreshToken, second.RefreshToken);
        var idToken = await TokenAssertions.ValidateIdTokenAsync(provider, second.IdentityToken!, TestClients.Poll);
        Assert.Equal("alice-sub", idToken.Subject);
        await TokenAssertions.ValidateAccessTokenAsync(provider, second.AccessToken!);

        var reuse = await RefreshAsync(provider, first.RefreshToken!);
        Assert.Equal("invalid_grant", reuse.Error);

        var afterReuse = await RefreshAsync(provider, second.RefreshToken!);
        Assert.Equal("invalid_grant", afterReuse.Error);
    }

    [Fact]
    public async Task Another_clients_refresh_token_is_invalid_grant_and_scope_can_only_narrow()
    {
        var provider = shared.Provider;
        var tokens = await provider.CompleteFlowAsync();

        var stolen = await RefreshAsync(provider, tokens.RefreshToken!, TestClients.UserCode, TestClients.UserCodeSecret);
        Assert.Equal("invalid_grant", stolen.Error);

        var wider = await RefreshAsync(provider, tokens.RefreshToken!, scope: "openid phone");
        Assert.Equal("invalid_scope", wider.Error);

        var narrower = await RefreshAsync(provider, tokens.RefreshToken!, scope: "openid");
        Assert.False(narrower.IsError, narrower.ErrorDescription);
        Assert.Equal("openid", (await TokenAssertions.ValidateAccessTokenAsync(provider, narrower.AccessToken!)).GetClaim("scope").Value);

        // The next refresh keeps the family's full scope.
        var full = await RefreshAsync(provider, narrower.RefreshToken!);
        Assert.Equal("openid profile email", (await TokenAssertions.ValidateAccessTokenAsync(provider, full.AccessToken!)).GetClaim("scope").Value);
    }

    [Fact]
    public async Task Concurrent_refreshes_of_one_token_issue_at_most_one_successor()
    {
        var provider = shared.Provider;
        var tokens = await provider.CompleteFlowAsync();

        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => RefreshAsync(provider, tokens.RefreshToken!)));
        Assert.True(results.Count(r => !r.IsError) <= 1);
        Assert.All(results.Where(r => r.IsError), r => Assert.Equal("invalid_grant", r.Error));
    }
}
