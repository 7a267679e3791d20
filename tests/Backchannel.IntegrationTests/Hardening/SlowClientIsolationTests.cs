using System.Diagnostics;
using Backchannel.IntegrationTests.Hardening.Support;
using Backchannel.IntegrationTests.Infrastructure;

namespace Backchannel.IntegrationTests.Hardening;

/// <summary>
/// Issue 16, item 2: one slow ping client does not stall other users' device prompts. The ping client's notification
/// endpoint accepts connections and never answers; with <c>Notifications:MaxConcurrentDeliveries</c> = 8 its 50 approved
/// requests fill the client-notification lane (8 pings hang, the rest wait), and a poll client's device notification must
/// still arrive at once, through the device lane, while those pings hang. Before the fix device notifications and pings
/// shared one pool of deliveries, so the prompt waited for a hung ping's timeout (here two minutes). The provider runs on
/// the system clock: the hung attempts are real.
/// </summary>
public sealed class SlowClientIsolationTests(Xunit.Abstractions.ITestOutputHelper output) : IAsyncLifetime
{
    private const int Lane = 8;
    private const int HungRequests = 50;

    private ScriptedHttpServer? _blackHole;
    private TestProvider? _provider;

    private ScriptedHttpServer BlackHole => _blackHole ?? throw new InvalidOperationException("Not started.");

    private TestProvider Provider => _provider ?? throw new InvalidOperationException("Not started.");

    public async Task InitializeAsync()
    {
        // Reads the request head, then holds the connection until the test ends.
        _blackHole = ScriptedHttpServer.Start((_, _, cancellationToken) => Task.Delay(Timeout.Infinite, cancellationToken));
        var settings = TestClients.Notifying(_blackHole.BaseUrl + "/hang");
        settings["Backchannel:Notifications:MaxConcurrentDeliveries"] = Lane.ToString(System.Globalization.CultureInfo.InvariantCulture);
        settings["Backchannel:Notifications:TimeoutSeconds"] = "120";
        settings["Backchannel:Notifications:LeaseSeconds"] = "300";
        _provider = await TestProvider.StartAsync(settings);
    }

    public async Task DisposeAsync()
    {
        if (_provider is not null)
        {
            await _provider.DisposeAsync();
        }

        if (_blackHole is not null)
        {
            await _blackHole.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_ping_client_that_never_answers_does_not_delay_another_clients_device_prompt()
    {
        // 50 approved requests of the ping client: each approval queues a ping to the black hole.
        var bindingMessages = Enumerable.Range(0, HungRequests).Select(i => $"hung {i} {Guid.NewGuid().ToString("N")[..6]}").ToList();
        foreach (var bindingMessage in bindingMessages)
        {
            var request = await Provider.AuthorizeAsync("alice", bindingMessage, TestClients.Ping, TestClients.PingSecret,
                r => r.ClientNotificationToken = TestClients.NewNotificationToken());
            Assert.False(request.IsError, request.Error + " " + request.Raw);
        }

        await Task.WhenAll(bindingMessages.Select(async bindingMessage =>
        {
            using var approval = await Provider.Device.ApproveAsync(await Provider.Device.ForAsync(bindingMessage, TimeSpan.FromSeconds(30)));
            Assert.Equal(System.Net.HttpStatusCode.NoContent, approval.StatusCode);
        }));

        // The pings fill their lane: as many hang as the lane allows.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (BlackHole.OpenConnections < Lane && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        Assert.True(BlackHole.OpenConnections >= Lane, $"Only {BlackHole.OpenConnections} pings reached the black hole.");

        // Another client's request: its device prompt comes at once.
        var elapsed = Stopwatch.StartNew();
        var authorization = await Provider.AuthorizeAsync();
        Assert.False(authorization.IsError, authorization.Error + " " + authorization.Raw);
        var notification = await Provider.LastNotificationAsync(TimeSpan.FromSeconds(10));
        output.WriteLine($"Device prompt after {elapsed.ElapsedMilliseconds} ms with {BlackHole.OpenConnections} pings hanging.");

        // The pings were still hanging all along.
        Assert.True(BlackHole.OpenConnections >= Lane, $"Only {BlackHole.OpenConnections} pings still hang.");

        using (var approval = await Provider.Device.ApproveAsync(notification))
        {
            Assert.Equal(System.Net.HttpStatusCode.NoContent, approval.StatusCode);
        }

        var tokens = await Provider.RedeemAsync(authorization.AuthenticationRequestId!);
        Assert.False(tokens.IsError, tokens.Error + " " + tokens.ErrorDescription);
        Assert.NotNull(tokens.IdentityToken);
    }
}
