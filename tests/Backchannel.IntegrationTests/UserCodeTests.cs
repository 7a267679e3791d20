using Backchannel.Abstractions;
using Backchannel.Users;
using Microsoft.Extensions.DependencyInjection;
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
        var store = provider.Services.GetRequiredService<IUserStore>();
        var alice = await store.FindBySubjectAsync("alice-sub", CancellationToken.None);

        // ASP.NET Core Identity's PasswordHasher format (PBKDF2-HMAC-SHA512, salted), never the code itself.
        Assert.NotEqual(TestClients.AliceUserCode, alice!.UserCodeHash);
        Assert.True(UserSecretHasher.IsHash(alice.UserCodeHash!));
        Assert.True(UserSecretHasher.Verify(TestClients.AliceUserCode, alice.UserCodeHash!));

        await provider.StopAsync();
        var text = System.Text.Encoding.Latin1.GetString(await File.ReadAllBytesAsync(provider.DatabasePath));
        Assert.DoesNotContain(TestClients.PollSecret, text);
    }
}
