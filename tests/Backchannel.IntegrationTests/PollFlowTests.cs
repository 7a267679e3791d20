using System.Net;
using System.Security.Cryptography;
using System.Text;
using Backchannel.IntegrationTests.Infrastructure;
using Duende.IdentityModel.Client;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Backchannel.IntegrationTests;

/// <summary>
/// The poll flow end to end over loopback HTTP, driven by Duende.IdentityModel, with a real device service; one provider
/// for the class, on a clock the tests advance.
/// </summary>
public class PollFlowTests(SharedProvider shared) : IClassFixture<SharedProvider>
{
    private TestProvider Provider => shared.Provider;

    [Fact]
    public async Task Approved_request_yields_id_access_and_refresh_tokens_that_validate_against_jwks()
    {
        var provider = Provider;

        var authorization = await provider.AuthorizeAsync("alice", "Pay 10 EUR to ACME", configure: r => r.AcrValues = "urn:example:mfa");
        Assert.False(authorization.IsError, authorization.Raw);
        Assert.Equal(43, authorization.AuthenticationRequestId!.Length);
        Assert.Matches("^[A-Za-z0-9_-]+$", authorization.AuthenticationRequestId!);
        Assert.Equal(120, authorization.ExpiresIn);
        Assert.Equal(1, authorization.Interval);

        var pending = await provider.RedeemAsync(authorization.AuthenticationRequestId!);
        Assert.Equal("authorization_pending", pending.Error);

        var notification = await provider.LastNotificationAsync();
        Assert.Equal($"Bearer {FakeDeviceService.Token}", notification.Authorization);
        Assert.Equal("Pay 10 EUR to ACME", notification.BindingMessage);
        Assert.Equal("alice-sub", notification.Body.GetProperty("subject").GetString());
        Assert.Equal("alice", notification.Body.GetProperty("login_hint").GetString());
        Assert.Equal(TestClients.Poll, notification.Body.GetProperty("client_id").GetString());
        Assert.Equal("Poll test client", notification.Body.GetProperty("client_name").GetString());
        Assert.Equal("openid profile email", notification.Body.GetProperty("scope").GetString());
        Assert.Equal("urn:example:mfa", notification.Body.GetProperty("acr_values").GetString());
        Assert.Equal(provider.Issuer + "/ciba/callback", notification.CallbackUrl);
        Assert.NotEqual(authorization.AuthenticationRequestId!, notification.TransactionId);
        Assert.DoesNotContain(authorization.AuthenticationRequestId!, notification.Body.GetRawText());
        var expiresAt = notification.Body.GetProperty("expires_at").GetInt64();
        Assert.InRange(expiresAt - provider.Time.GetUtcNow().ToUnixTimeSeconds(), 119, 121);

        var callbackToken = new JsonWebToken(notification.CallbackToken);
        Assert.Equal(provider.Issuer, callbackToken.Issuer);
        Assert.Equal(notification.TransactionId, callbackToken.Subject);
        Assert.Equal([notification.CallbackUrl], callbackToken.Audiences);
        Assert.Equal(expiresAt, new DateTimeOffset(callbackToken.ValidTo).ToUnixTimeSeconds());

        var approval = await provider.Device.ApproveAsync(notification, amr: ["hwk", "face"]);
        Assert.Equal(HttpStatusCode.NoContent, approval.StatusCode);

        var tokens = await provider.RedeemAsync(authorization.AuthenticationRequestId!);
        Assert.False(tokens.IsError, tokens.ErrorDescription);
        Assert.Equal("Bearer", tokens.TokenType);
        Assert.Equal(3600, tokens.ExpiresIn);
        Assert.Equal("no-store", tokens.HttpResponse!.Headers.CacheControl!.ToString());
        Assert.NotNull(tokens.RefreshToken);
        Assert.True(Base64UrlEncoder.DecodeBytes(tokens.RefreshToken).Length >= 16);

        var idToken = await TokenAssertions.ValidateIdTokenAsync(provider, tokens.IdentityToken!, TestClients.Poll);
        Assert.Equal("alice-sub", idToken.Subject);
        Assert.Equal("urn:example:mfa", idToken.GetClaim("acr").Value);
        Assert.Equal(["hwk", "face"], idToken.Claims.Where(c => c.Type == "amr").Select(c => c.Value));
        Assert.InRange(long.Parse(idToken.GetClaim("auth_time").Value, System.Globalization.CultureInfo.InvariantCulture),
            provider.Time.GetUtcNow().AddSeconds(-1).ToUnixTimeSeconds(), provider.Time.GetUtcNow().ToUnixTimeSeconds() + 1);
        Assert.Equal(LeftHalfSha256(tokens.AccessToken!), idToken.GetClaim("at_hash").Value);

        var accessToken = await TokenAssertions.ValidateAccessTokenAsync(provider, tokens.AccessToken!);
        Assert.Equal("alice-sub", accessToken.Subject);
        Assert.Equal(TestClients.Poll, accessToken.GetClaim("client_id").Value);
        Assert.Equal("openid profile email", accessToken.GetClaim("scope").Value);
        Assert.False(string.IsNullOrEmpty(accessToken.Id));

        var userInfo = await TokenAssertions.UserInfoAsync(provider, tokens.AccessToken!);
        Assert.Equal("alice-sub", userInfo["sub"].GetString());
        Assert.Equal("Alice Example", userInfo["name"].GetString());
        Assert.Equal("Alice", userInfo["given_name"].GetString());
        Assert.Equal("alice@example.com", userInfo["email"].GetString());
        Assert.False(userInfo.ContainsKey("phone_number"));
    }

    [Fact]
    public async Task Denied_request_is_access_denied()
    {
        var provider = Provider;
        var authorization = await provider.AuthorizeAsync();
        var notification = await provider.LastNotificationAsync();

        var denial = await provider.Device.DenyAsync(notification);
        Assert.Equal(HttpStatusCode.NoContent, denial.StatusCode);

        var token = await provider.RedeemAsync(authorization.AuthenticationRequestId!);
        Assert.Equal("access_denied", token.Error);
        Assert.Equal(HttpStatusCode.BadRequest, token.HttpStatusCode);

        var lateApproval = await provider.Device.ApproveAsync(notification);
        Assert.Equal(HttpStatusCode.Conflict, lateApproval.StatusCode);
    }

    [Fact]
    public async Task Expired_request_is_expired_token_at_the_token_endpoint_and_the_callback()
    {
        var provider = Provider;
        var authorization = await provider.AuthorizeAsync(configure: r => r.RequestedExpiry = 2);
        Assert.Equal(2, authorization.ExpiresIn);
        var notification = await provider.LastNotificationAsync();

        provider.FakeTime.Advance(TimeSpan.FromSeconds(2.5));

        var token = await provider.RedeemAsync(authorization.AuthenticationRequestId!);
        Assert.Equal("expired_token", token.Error);
        var lateApproval = await provider.Device.ApproveAsync(notification);
        Assert.Equal(HttpStatusCode.BadRequest, lateApproval.StatusCode);
        Assert.Contains("expired_token", await lateApproval.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Polling_faster_than_the_interval_is_slow_down_and_the_interval_grows_by_five_seconds()
    {
        // The provider's clock stands still unless the test moves it: two polls at once are always too fast.
        var provider = Provider;
        var authorization = await provider.AuthorizeAsync();
        Assert.Equal(1, authorization.Interval);
        _ = await provider.LastNotificationAsync();

        Assert.Equal("authorization_pending", (await provider.RedeemAsync(authorization.AuthenticationRequestId!)).Error);
        Assert.Equal("slow_down", (await provider.RedeemAsync(authorization.AuthenticationRequestId!)).Error);

        // The interval is now 6 s: waiting the original 1 s (and more) is still too fast.
        provider.FakeTime.Advance(TimeSpan.FromSeconds(3));
        Assert.Equal("slow_down", (await provider.RedeemAsync(authorization.AuthenticationRequestId!)).Error);

        // 11 s now; waiting that long is polite.
        provider.FakeTime.Advance(TimeSpan.FromSeconds(11));
        Assert.Equal("authorization_pending", (await provider.RedeemAsync(authorization.AuthenticationRequestId!)).Error);
    }

    [Fact]
    public async Task An_auth_req_id_is_redeemed_once()
    {
        var provider = Provider;
        var authorization = await provider.AuthorizeAsync();
        await provider.ApproveLastAsync();

        Assert.False((await provider.RedeemAsync(authorization.AuthenticationRequestId!)).IsError);
        var replay = await provider.RedeemAsync(authorization.AuthenticationRequestId!);
        Assert.Equal("invalid_grant", replay.Error);
    }

    [Fact]
    public async Task Another_clients_auth_req_id_is_invalid_grant_and_stays_redeemable_by_its_owner()
    {
        var provider = Provider;
        var authorization = await provider.AuthorizeAsync();
        await provider.ApproveLastAsync();

        var stolen = await provider.RedeemAsync(authorization.AuthenticationRequestId!, TestClients.NoRefresh, TestClients.NoRefreshSecret);
        Assert.Equal("invalid_grant", stolen.Error);

        var owner = await provider.RedeemAsync(authorization.AuthenticationRequestId!);
        Assert.False(owner.IsError, owner.ErrorDescription);
    }

    [Fact]
    public async Task Unknown_auth_req_id_is_invalid_grant()
    {
        var provider = Provider;
        var token = await provider.RedeemAsync("not-an-issued-auth-req-id-0123456789abcdefghij");
        Assert.Equal("invalid_grant", token.Error);
    }

    [Fact]
    public async Task Client_secret_post_client_completes_a_flow_and_a_client_without_the_refresh_grant_gets_no_refresh_token()
    {
        var provider = Provider;

        var authorization = await provider.Http.RequestBackchannelAuthenticationAsync(new Duende.IdentityModel.Client.BackchannelAuthenticationRequest
        {
            Address = provider.BackchannelEndpoint,
            ClientId = TestClients.Post,
            ClientSecret = TestClients.PostSecret,
            ClientCredentialStyle = Duende.IdentityModel.Client.ClientCredentialStyle.PostBody,
            Scope = "openid",
            LoginHint = "bob@example.com",
        });
        Assert.False(authorization.IsError, authorization.Raw);
        Assert.Equal("bob-sub", (await provider.Device.NextAsync()).Body.GetProperty("subject").GetString());

        var tokens = await provider.CompleteFlowAsync("bob", TestClients.NoRefresh, TestClients.NoRefreshSecret);
        Assert.Null(tokens.RefreshToken);
        Assert.NotNull(tokens.IdentityToken);
    }

    private static string LeftHalfSha256(string value) =>
        Base64UrlEncoder.Encode(SHA256.HashData(Encoding.ASCII.GetBytes(value))[..16]);
}
