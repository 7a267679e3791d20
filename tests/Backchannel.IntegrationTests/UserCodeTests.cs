using System.Net;
using Backchannel.IntegrationTests.Infrastructure;

namespace Backchannel.IntegrationTests;

/// <summary>user_code (CIBA 7.1): required from clients that registered it, checked against the user's hashed code.</summary>
public class UserCodeTests
{
    [Fact]
    public async Task User_code_is_required_and_checked()
    {
        await using var provider = await TestProvider.StartAsync();
        var client = (TestClients.UserCode, TestClients.UserCodeSecret);

        var (missing, body) = await FormRequests.PostAsync(provider.Http, "/bc-authorize", [new("scope", "openid"), new("login_hint", "alice")], client);
        Assert.Equal((HttpStatusCode.BadRequest, "missing_user_code"), (missing.StatusCode, body.Error()));

        (_, body) = await FormRequests.PostAsync(provider.Http, "/bc-authorize",
            [new("scope", "openid"), new("login_hint", "alice"), new("user_code", "9999")], client);
        Assert.Equal("invalid_user_code", body.Error());

        (_, body) = await FormRequests.PostAsync(provider.Http, "/bc-authorize",
            [new("scope", "openid"), new("login_hint", "bob"), new("user_code", "1234")], client);
        Assert.Equal("invalid_user_code", body.Error());

        var (ok, accepted) = await FormRequests.PostAsync(provider.Http, "/bc-authorize",
            [new("scope", "openid"), new("login_hint", "alice"), new("user_code", TestClients.AliceUserCode)], client);
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.True(accepted.TryGetProperty("auth_req_id", out _));
    }

    [Fact]
    public async Task User_codes_are_stored_hashed()
    {
        await using var provider = await TestProvider.StartAsync();
        await provider.StopAsync();
        var bytes = await File.ReadAllBytesAsync(provider.DatabasePath);
        var text = System.Text.Encoding.Latin1.GetString(bytes);
        Assert.Contains("pbkdf2-sha256$", text);
        Assert.DoesNotContain(TestClients.PollSecret, text);
    }
}
