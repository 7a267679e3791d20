using Backchannel.Security;
using Backchannel.IntegrationTests.Infrastructure;
using Microsoft.Extensions.Options;

namespace Backchannel.IntegrationTests;

/// <summary>Server-side request forgery: client-registered URLs may not reach loopback, private or metadata addresses.</summary>
public class NotificationEndpointSafetyTests
{
    [Theory]
    [InlineData("https://127.0.0.1/cb")]
    [InlineData("https://10.20.30.40/cb")]
    [InlineData("https://169.254.169.254/latest/meta-data")]
    [InlineData("https://[::1]/cb")]
    [InlineData("https://localhost/cb")]
    [InlineData("http://203.0.113.10/cb")]
    public async Task A_client_whose_notification_endpoint_is_not_public_https_is_refused_at_start(string endpoint)
    {
        var settings = TestClients.Notifying(endpoint);
        settings["Backchannel:Notifications:AllowHttp"] = "false";
        settings["Backchannel:Notifications:AllowPrivateNetworks"] = "false";

        var failure = await Assert.ThrowsAsync<OptionsValidationException>(() => TestProvider.StartAsync(settings));
        Assert.Contains("backchannel_client_notification_endpoint", failure.Message);
        Assert.Contains(TestClients.Ping, failure.Message);
    }

    [Fact]
    public async Task The_same_endpoints_are_accepted_when_private_networks_are_allowed()
    {
        var settings = TestClients.Notifying("https://169.254.169.254/latest/meta-data");
        settings["Backchannel:Notifications:AllowPrivateNetworks"] = "true";
        await using var provider = await TestProvider.StartAsync(settings);
        Assert.Equal(System.Net.HttpStatusCode.OK, (await provider.Http.GetAsync("/health/ready")).StatusCode);
    }

    [Fact]
    public async Task At_connect_time_a_host_name_that_resolves_to_loopback_is_refused()
    {
        await using var receiver = await NotificationReceiver.StartAsync(FreePort.Next());
        var port = new Uri(receiver.Endpoint).Port;

        using var guarded = new HttpClient(OutboundHttpHandlers.Create(allowPrivateNetworks: false, TimeSpan.FromSeconds(5)));
        var refused = await Assert.ThrowsAsync<HttpRequestException>(() => guarded.PostAsync($"http://localhost:{port}/cb", new StringContent("{}")));
        Assert.Contains("loopback", refused.Message + refused.InnerException?.Message);
        Assert.Empty(receiver.All);

        using var open = new HttpClient(OutboundHttpHandlers.Create(allowPrivateNetworks: true, TimeSpan.FromSeconds(5)));
        var response = await open.PostAsync($"http://localhost:{port}/cb", new StringContent("{}", System.Text.Encoding.UTF8, "application/json"));
        Assert.True(response.IsSuccessStatusCode);
    }
}
