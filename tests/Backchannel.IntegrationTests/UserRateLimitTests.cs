using System.Net;
using System.Text.Json;
using Backchannel.IntegrationTests.Infrastructure;

namespace Backchannel.IntegrationTests;

/// <summary>Ciba:MaxRequestsPerUserPerMinute protects a user's device from a flood of prompts.</summary>
public class UserRateLimitTests
{
    [Fact]
    public async Task Too_many_requests_for_one_user_are_refused()
    {
        await using var provider = await TestProvider.StartAsync(new Dictionary<string, string?> { ["Backchannel:Ciba:MaxRequestsPerUserPerMinute"] = "3" });
        for (var i = 0; i < 3; i++)
        {
            Assert.False((await provider.AuthorizeAsync("bob")).IsError);
        }

        var refused = await provider.AuthorizeAsync("bob");
        Assert.Equal(HttpStatusCode.Forbidden, refused.HttpStatusCode);
        Assert.Equal("access_denied", JsonDocument.Parse(refused.Raw!).RootElement.GetProperty("error").GetString());
        Assert.Equal("60", refused.HttpResponse!.Headers.RetryAfter!.ToString());
        Assert.False((await provider.AuthorizeAsync("alice")).IsError);
    }
}
