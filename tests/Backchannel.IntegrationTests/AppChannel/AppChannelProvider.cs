using Backchannel.IntegrationTests.Infrastructure;

namespace Backchannel.IntegrationTests.AppChannel;

/// <summary>
/// A provider with the app channel, on the system clock (devices sign JWTs with the real time), and rules as Auth0 has
/// them: requests of the post client go to the app and the http device service at once; requests that live longer than
/// 300 s go to the http channel; shorter ones to the app. Alice, bob and carol are reached by the app; carol never
/// registers a device. The http device service stands for the e-mail channel of the scenario.
/// </summary>
public sealed class AppChannelProvider : SharedProvider
{
    protected override bool FakeClock => false;

    protected override Dictionary<string, string?> Settings() => new()
    {
        ["Backchannel:Channels:App:Enabled"] = "true",
        ["Backchannel:Channels:App:MaxDevicesPerUser"] = "50",
        ["Backchannel:Channels:Rules:0:Channel"] = "app,http",
        ["Backchannel:Channels:Rules:0:Clients:0"] = TestClients.Post,
        ["Backchannel:Channels:Rules:1:Channel"] = "http",
        ["Backchannel:Channels:Rules:1:MinExpirySeconds"] = "301",
        ["Backchannel:Channels:Rules:2:Channel"] = "app",
        ["Backchannel:Channels:Rules:2:MaxExpirySeconds"] = "300",
        ["Backchannel:Users:0:channel"] = "app",
        ["Backchannel:Users:1:channel"] = "app",
        ["Backchannel:Users:2:sub"] = "carol-sub",
        ["Backchannel:Users:2:username"] = "carol",
        ["Backchannel:Users:2:channel"] = "app",
    };

    /// <summary>An ID token for <paramref name="user"/>: a flow of the poll client that lives 600 s, so the http device service approves it.</summary>
    internal async Task<string> IdTokenAsync(string user = "alice")
    {
        var tokens = await Provider.CompleteFlowAsync(user, configure: r => r.RequestedExpiry = 600);
        return tokens.IdentityToken!;
    }

    /// <summary>A new device of <paramref name="user"/>, registered with the JSON form.</summary>
    internal async Task<TestAppDevice> RegisteredDeviceAsync(string user = "alice", string? pushToken = null)
    {
        var device = new TestAppDevice(Provider, pushToken: pushToken);
        using var response = await device.RegisterAsync(await IdTokenAsync(user));
        Assert.Equal(System.Net.HttpStatusCode.Created, response.StatusCode);
        return device;
    }
}
