using Backchannel.Domain;
using Backchannel.IntegrationTests.Infrastructure;

namespace Backchannel.IntegrationTests;

/// <summary>
/// How notifications are delivered: retried on 5xx and outages, never after a 4xx, never to a redirect, over HTTPS. The
/// tests scripting a receiver share one provider and one receiver (scripts and calls are per auth_req_id); those needing
/// another endpoint or settings have their own provider. All run on a clock the tests advance.
/// </summary>
public class NotificationDeliveryTests(SharedNotifyingProvider shared) : IClassFixture<SharedNotifyingProvider>
{
    /// <summary>Beyond a delivered message's lease (60 s) and every retry delay (at most 1 s in the tests).</summary>
    private static readonly TimeSpan PastLeaseAndRetries = TimeSpan.FromSeconds(75);

    private static Task<TestProvider> StartAsync(string endpoint, IDictionary<string, string?>? extra = null)
    {
        var settings = TestClients.Notifying(endpoint);
        foreach (var (key, value) in extra ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }

        return TestProvider.StartAsync(settings, time: new TestClock());
    }

    /// <summary>A ping request, approved; the receiver (if given) answers its first notifications with <paramref name="answers"/>.</summary>
    private static async Task<string> ApprovedPingAsync(TestProvider provider, NotificationReceiver? receiver = null, params int[] answers)
    {
        var authorization = await provider.AuthorizeAsync(clientId: TestClients.Ping, clientSecret: TestClients.PingSecret,
            configure: r => r.ClientNotificationToken = TestClients.NewNotificationToken());
        Assert.False(authorization.IsError, authorization.Raw);
        receiver?.AnswerFor(authorization.AuthenticationRequestId!, answers);
        await provider.ApproveLastAsync();
        return authorization.AuthenticationRequestId!;
    }

    [Fact]
    public async Task A_receiver_answering_500_twice_then_204_gets_the_notification_delivered_once()
    {
        var (provider, receiver) = (shared.Provider, shared.Receiver);
        var authReqId = await ApprovedPingAsync(provider, receiver, 500, 503);

        // The retries come when the clock reaches them.
        var calls = new[]
        {
            await receiver.ForAsync(authReqId, clock: provider.FakeTime), await receiver.ForAsync(authReqId, clock: provider.FakeTime),
            await receiver.ForAsync(authReqId, clock: provider.FakeTime),
        };
        Assert.All(calls, call => Assert.Equal(authReqId, call.AuthReqId));
        Assert.False(await receiver.AnyMoreForWithinAsync(authReqId, TimeSpan.FromSeconds(1), provider.FakeTime, PastLeaseAndRetries),
            "after the 204 nothing more is sent");
        Assert.Equal(3, receiver.CallsFor(authReqId));
        Assert.Empty(await provider.OutboxForAsync(authReqId));
    }

    [Fact]
    public async Task A_receiver_answering_401_is_called_exactly_once()
    {
        var (provider, receiver) = (shared.Provider, shared.Receiver);
        var authReqId = await ApprovedPingAsync(provider, receiver, 401);

        Assert.Equal(authReqId, (await receiver.ForAsync(authReqId)).AuthReqId);
        Assert.False(await receiver.AnyMoreForWithinAsync(authReqId, TimeSpan.FromSeconds(1), provider.FakeTime, PastLeaseAndRetries),
            "a 4xx is never retried");
        Assert.Equal(1, receiver.CallsFor(authReqId));

        // The flow itself completes: a ping client may poll.
        Assert.False((await provider.RedeemAsync(authReqId, TestClients.Ping, TestClients.PingSecret)).IsError);
    }

    [Fact]
    public async Task A_redirect_is_never_followed()
    {
        var (provider, receiver) = (shared.Provider, shared.Receiver);
        var authReqId = await ApprovedPingAsync(provider, receiver, 301);

        Assert.Equal(NotificationReceiver.Path, (await receiver.ForAsync(authReqId)).Path);
        Assert.False(await receiver.AnyMoreForWithinAsync(authReqId, TimeSpan.FromSeconds(1), provider.FakeTime, PastLeaseAndRetries));
        Assert.DoesNotContain(receiver.All, call => call.Path == NotificationReceiver.RedirectTargetPath);
    }

    [Fact]
    public async Task A_receiver_that_is_down_for_a_while_gets_the_notification_when_it_is_back()
    {
        var port = FreePort.Next();
        await using var provider = await StartAsync($"http://127.0.0.1:{port}/cb");
        var authReqId = await ApprovedPingAsync(provider);

        // Down for a while: the clock moves on until three attempts failed (fewer than would open the destination's circuit).
        var deadline = DateTime.UtcNow.AddSeconds(10);
        int attempts;
        while ((attempts = (await provider.OutboxForAsync(authReqId)).Where(m => m.Kind == OutboxKind.Ping).Sum(m => m.Attempts)) < 3
               && DateTime.UtcNow < deadline)
        {
            await provider.FakeTime.StepAsync(TimeSpan.FromSeconds(1));
            await Task.Delay(ClockSteps.StepPause);
        }

        Assert.True(attempts >= 3, $"{attempts} failed attempts while the receiver was down");

        await using var receiver = await NotificationReceiver.StartAsync(port);
        Assert.Equal(authReqId, (await receiver.ForAsync(authReqId, TimeSpan.FromSeconds(10), provider.FakeTime)).AuthReqId);
    }

    [Fact]
    public async Task Notifications_go_over_https_to_a_receiver_whose_certificate_the_provider_trusts()
    {
        var directory = Path.Combine(Path.GetTempPath(), "backchannel-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        var certificates = TestCertificates.Create(directory);
        await using var receiver = await NotificationReceiver.StartAsync(FreePort.Next(), certificates.Server);
        Assert.StartsWith("https://", receiver.Endpoint);

        await using var provider = await StartAsync(receiver.Endpoint, new Dictionary<string, string?>
        {
            ["Backchannel:Notifications:AllowHttp"] = "false",
            ["Backchannel:Notifications:TrustedCertificatesFile"] = certificates.AuthorityPemFile,
        });
        var authReqId = await ApprovedPingAsync(provider);

        Assert.Equal(authReqId, (await receiver.ForAsync(authReqId, clock: provider.FakeTime)).AuthReqId);
    }

    [Fact]
    public async Task An_https_receiver_with_an_untrusted_certificate_gets_nothing()
    {
        var directory = Path.Combine(Path.GetTempPath(), "backchannel-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        var certificates = TestCertificates.Create(directory);
        await using var receiver = await NotificationReceiver.StartAsync(FreePort.Next(), certificates.Server);

        await using var provider = await StartAsync(receiver.Endpoint, new Dictionary<string, string?> { ["Backchannel:Notifications:AllowHttp"] = "false" });
        var authReqId = await ApprovedPingAsync(provider);

        // Ten seconds of retries (each failing at the handshake), and the provider still holds the ping to try again.
        Assert.False(await receiver.AnyMoreForWithinAsync(authReqId, TimeSpan.FromSeconds(1), provider.FakeTime, TimeSpan.FromSeconds(10)),
            "the TLS handshake must fail");
        Assert.Empty(receiver.All);
        Assert.Contains(await provider.OutboxForAsync(authReqId), m => m.Kind == OutboxKind.Ping && m.Attempts >= 1);
    }
}
