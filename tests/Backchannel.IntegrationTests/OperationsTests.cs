using System.Net;
using System.Text.Json;
using Backchannel.IntegrationTests.Infrastructure;

namespace Backchannel.IntegrationTests;

/// <summary>Health, metrics and the removal of expired data.</summary>
public class OperationsTests
{
    [Fact]
    public async Task Health_endpoints_answer()
    {
        await using var provider = await TestProvider.StartAsync();
        Assert.Equal(HttpStatusCode.OK, (await provider.Http.GetAsync("/health/live")).StatusCode);
        Assert.Equal("Healthy", await provider.Http.GetStringAsync("/health/ready"));
        await provider.AuthorizeAsync();
        Assert.Contains("backchannel_authentication_requests_total{outcome=\"accepted\"} 1", await provider.Http.GetStringAsync("/metrics"));
    }

    [Fact]
    public async Task Expired_requests_are_removed_after_the_retention_period()
    {
        await using var provider = await TestProvider.StartAsync(new Dictionary<string, string?>
        {
            ["Backchannel:Storage:ExpiredRequestRetentionSeconds"] = "3",
            ["Backchannel:Storage:CleanupIntervalSeconds"] = "1",
        });
        var authorization = await provider.AuthorizeAsync(configure: r => r.RequestedExpiry = 1);
        await Task.Delay(1500);
        Assert.Equal("expired_token", (await provider.RedeemAsync(authorization.AuthenticationRequestId!)).Error);

        var deadline = DateTime.UtcNow.AddSeconds(15);
        string? error;
        do
        {
            await Task.Delay(500);
            error = (await provider.RedeemAsync(authorization.AuthenticationRequestId!)).Error;
        }
        while (error == "expired_token" && DateTime.UtcNow < deadline);

        Assert.Equal("invalid_grant", error);
    }
}
