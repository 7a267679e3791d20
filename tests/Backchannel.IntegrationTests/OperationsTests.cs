using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Backchannel.IntegrationTests.Infrastructure;

namespace Backchannel.IntegrationTests;

/// <summary>Health, metrics and the removal of expired data; one provider for the class, on a clock the tests advance.</summary>
public class OperationsTests(OperationsTests.Fixture shared) : IClassFixture<OperationsTests.Fixture>
{
    /// <summary>Expired requests are kept 3 s, and the cleanup runs every second (of the provider's clock).</summary>
    public sealed class Fixture : SharedProvider
    {
        protected override Dictionary<string, string?> Settings() => new()
        {
            ["Backchannel:Storage:ExpiredRequestRetentionSeconds"] = "3",
            ["Backchannel:Storage:CleanupIntervalSeconds"] = "1",
        };
    }

    [Fact]
    public async Task Health_endpoints_answer()
    {
        var provider = shared.Provider;
        Assert.Equal(HttpStatusCode.OK, (await provider.Http.GetAsync("/health/live")).StatusCode);
        Assert.Equal("Healthy", await provider.Http.GetStringAsync("/health/ready"));

        // The provider is shared: the accepted request counts one more than before.
        var before = AcceptedRequests(await provider.Http.GetStringAsync("/metrics"));
        await provider.AuthorizeAsync();
        Assert.Contains($"backchannel_authentication_requests_total{{outcome=\"accepted\"}} {before + 1}", await provider.Http.GetStringAsync("/metrics"));
    }

    [Fact]
    public async Task Expired_requests_are_removed_after_the_retention_period()
    {
        var provider = shared.Provider;
        var authorization = await provider.AuthorizeAsync(configure: r => r.RequestedExpiry = 1);
        provider.FakeTime.Advance(TimeSpan.FromSeconds(1.5));
        Assert.Equal("expired_token", (await provider.RedeemAsync(authorization.AuthenticationRequestId!)).Error);

        // The clock moves on a second at a time; the cleanup removes the request once it has been expired 3 s.
        var deadline = DateTime.UtcNow.AddSeconds(10);
        string? error;
        do
        {
            await provider.FakeTime.StepAsync(TimeSpan.FromSeconds(1));
            await Task.Delay(ClockSteps.StepPause);
            error = (await provider.RedeemAsync(authorization.AuthenticationRequestId!)).Error;
        }
        while (error == "expired_token" && DateTime.UtcNow < deadline);

        Assert.Equal("invalid_grant", error);
    }

    private static long AcceptedRequests(string metrics)
    {
        var match = Regex.Match(metrics, "^backchannel_authentication_requests_total\\{outcome=\"accepted\"\\} (\\d+)$", RegexOptions.Multiline);
        return match.Success ? long.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) : 0;
    }
}
