using Backchannel.IntegrationTests.Infrastructure;

namespace Backchannel.IntegrationTests;

/// <summary>How notifications are delivered: retried on 5xx and outages, never after a 4xx, never to a redirect, over HTTPS.</summary>
public class NotificationDeliveryTests
{
    private static async Task<(TestProvider Provider, string AuthReqId)> ApprovedPingAsync(string endpoint, IDictionary<string, string?>? extra = null)
    {
        var settings = TestClients.Notifying(endpoint);
        foreach (var (key, value) in extra ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }

        var provider = await TestProvider.StartAsync(settings);
        var authorization = await provider.AuthorizeAsync(clientId: TestClients.Ping, clientSecret: TestClients.PingSecret,
            configure: r => r.ClientNotificationToken = TestClients.NewNotificationToken());
        await provider.Device.ApproveNextAsync();
        return (provider, authorization.AuthenticationRequestId!);
    }

    [Fact]
    public async Task A_receiver_answering_500_twice_then_204_gets_the_notification_delivered_once()
    {
        await using var receiver = await NotificationReceiver.StartAsync(FreePort.Next());
        receiver.AnswerNext(500, 503);
        var (provider, authReqId) = await ApprovedPingAsync(receiver.Endpoint);
        await using var _ = provider;

        var calls = new[] { await receiver.NextAsync(), await receiver.NextAsync(), await receiver.NextAsync() };
        Assert.All(calls, call => Assert.Equal(authReqId, call.AuthReqId));
        Assert.False(await receiver.AnyMoreWithinAsync(TimeSpan.FromSeconds(2.5)), "after the 204 nothing more is sent");
        Assert.Equal(3, receiver.All.Count);
    }

    [Fact]
    public async Task A_receiver_answering_401_is_called_exactly_once()
    {
        await using var receiver = await NotificationReceiver.StartAsync(FreePort.Next());
        receiver.AnswerNext(401);
        var (provider, authReqId) = await ApprovedPingAsync(receiver.Endpoint);
        await using var _ = provider;

        Assert.Equal(authReqId, (await receiver.NextAsync()).AuthReqId);
        Assert.False(await receiver.AnyMoreWithinAsync(TimeSpan.FromSeconds(3)), "a 4xx is never retried");

        // The flow itself completes: a ping client may poll.
        Assert.False((await provider.RedeemAsync(authReqId, TestClients.Ping, TestClients.PingSecret)).IsError);
    }

    [Fact]
    public async Task A_redirect_is_never_followed()
    {
        await using var receiver = await NotificationReceiver.StartAsync(FreePort.Next());
        receiver.AnswerNext(301);
        var (provider, _) = await ApprovedPingAsync(receiver.Endpoint);
        await using var __ = provider;

        Assert.Equal(NotificationReceiver.Path, (await receiver.NextAsync()).Path);
        Assert.False(await receiver.AnyMoreWithinAsync(TimeSpan.FromSeconds(3)));
        Assert.DoesNotContain(receiver.All, call => call.Path == NotificationReceiver.RedirectTargetPath);
    }

    [Fact]
    public async Task A_receiver_that_is_down_for_a_while_gets_the_notification_when_it_is_back()
    {
        var port = FreePort.Next();
        var (provider, authReqId) = await ApprovedPingAsync($"http://127.0.0.1:{port}/cb");
        await using var _ = provider;

        await Task.Delay(TimeSpan.FromSeconds(2.5));
        await using var receiver = await NotificationReceiver.StartAsync(port);
        Assert.Equal(authReqId, (await receiver.NextAsync(TimeSpan.FromSeconds(10))).AuthReqId);
    }

    [Fact]
    public async Task Notifications_go_over_https_to_a_receiver_whose_certificate_the_provider_trusts()
    {
        var directory = Path.Combine(Path.GetTempPath(), "backchannel-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        var certificates = TestCertificates.Create(directory);
        await using var receiver = await NotificationReceiver.StartAsync(FreePort.Next(), certificates.Server);
        Assert.StartsWith("https://", receiver.Endpoint);

        var (provider, authReqId) = await ApprovedPingAsync(receiver.Endpoint, new Dictionary<string, string?>
        {
            ["Backchannel:Notifications:AllowHttp"] = "false",
            ["Backchannel:Notifications:TrustedCertificatesFile"] = certificates.AuthorityPemFile,
        });
        await using var _ = provider;

        Assert.Equal(authReqId, (await receiver.NextAsync()).AuthReqId);
    }

    [Fact]
    public async Task An_https_receiver_with_an_untrusted_certificate_gets_nothing()
    {
        var directory = Path.Combine(Path.GetTempPath(), "backchannel-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        var certificates = TestCertificates.Create(directory);
        await using var receiver = await NotificationReceiver.StartAsync(FreePort.Next(), certificates.Server);

        var (provider, _) = await ApprovedPingAsync(receiver.Endpoint, new Dictionary<string, string?> { ["Backchannel:Notifications:AllowHttp"] = "false" });
        await using var __ = provider;

        Assert.False(await receiver.AnyMoreWithinAsync(TimeSpan.FromSeconds(2)), "the TLS handshake must fail");
    }
}
