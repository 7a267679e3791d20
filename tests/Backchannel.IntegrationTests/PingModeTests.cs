using System.Net;
using Backchannel.IntegrationTests.Infrastructure;
using Duende.IdentityModel.Client;

namespace Backchannel.IntegrationTests;

/// <summary>Ping mode (CIBA 10.2) end to end with Duende.IdentityModel and a real notification endpoint.</summary>
public class PingModeTests
{
    [Fact]
    public async Task The_client_is_pinged_after_approval_and_then_redeems()
    {
        await using var receiver = await NotificationReceiver.StartAsync(FreePort.Next());
        await using var provider = await TestProvider.StartAsync(TestClients.Notifying(receiver.Endpoint));
        var notificationToken = TestClients.NewNotificationToken();
        receiver.AnswerNext(200);

        var authorization = await provider.AuthorizeAsync(clientId: TestClients.Ping, clientSecret: TestClients.PingSecret,
            configure: r => r.ClientNotificationToken = notificationToken);
        Assert.False(authorization.IsError, authorization.Raw);
        Assert.Equal(1, authorization.Interval);
        await provider.Device.ApproveNextAsync();

        var ping = await receiver.NextAsync();
        Assert.Equal($"Bearer {notificationToken}", ping.Authorization);
        Assert.Equal(authorization.AuthenticationRequestId, ping.AuthReqId);
        Assert.Single(ping.Body.EnumerateObject());

        var tokens = await provider.RedeemAsync(ping.AuthReqId!, TestClients.Ping, TestClients.PingSecret);
        Assert.False(tokens.IsError, tokens.ErrorDescription);
        await TokenAssertions.ValidateIdTokenAsync(provider, tokens.IdentityToken!, TestClients.Ping);
        Assert.False(await receiver.AnyMoreWithinAsync(TimeSpan.FromSeconds(1)), "the ping was delivered once");
    }

    [Fact]
    public async Task The_client_is_pinged_after_a_denial_and_after_an_expiry()
    {
        await using var receiver = await NotificationReceiver.StartAsync(FreePort.Next());
        await using var provider = await TestProvider.StartAsync(TestClients.Notifying(receiver.Endpoint));

        var denied = await provider.AuthorizeAsync(clientId: TestClients.Ping, clientSecret: TestClients.PingSecret,
            configure: r => r.ClientNotificationToken = TestClients.NewNotificationToken());
        await provider.Device.DenyNextAsync();
        Assert.Equal(denied.AuthenticationRequestId, (await receiver.NextAsync()).AuthReqId);
        Assert.Equal("access_denied", (await provider.RedeemAsync(denied.AuthenticationRequestId!, TestClients.Ping, TestClients.PingSecret)).Error);

        var expiring = await provider.AuthorizeAsync(clientId: TestClients.Ping, clientSecret: TestClients.PingSecret,
            configure: r => { r.ClientNotificationToken = TestClients.NewNotificationToken(); r.RequestedExpiry = 1; });
        Assert.Equal(expiring.AuthenticationRequestId, (await receiver.NextAsync(TimeSpan.FromSeconds(5))).AuthReqId);
        Assert.Equal("expired_token", (await provider.RedeemAsync(expiring.AuthenticationRequestId!, TestClients.Ping, TestClients.PingSecret)).Error);
    }

    [Fact]
    public async Task A_ping_client_must_send_a_well_formed_client_notification_token()
    {
        await using var receiver = await NotificationReceiver.StartAsync(FreePort.Next());
        await using var provider = await TestProvider.StartAsync(TestClients.Notifying(receiver.Endpoint));

        foreach (var token in new string?[] { null, "short", "has spaces in it but is long enough", new string('a', 1025) })
        {
            var response = await provider.AuthorizeAsync(clientId: TestClients.Ping, clientSecret: TestClients.PingSecret,
                configure: r => r.ClientNotificationToken = token);
            Assert.Equal("invalid_request", response.Error);
        }

        var longest = await provider.AuthorizeAsync(clientId: TestClients.Ping, clientSecret: TestClients.PingSecret,
            configure: r => r.ClientNotificationToken = new string('a', 1024));
        Assert.False(longest.IsError, longest.Raw);
    }

    [Fact]
    public async Task Openid_client_runs_the_ping_flow()
    {
        var pingPort = FreePort.Next();
        await using var provider = await TestProvider.StartAsync(TestClients.Notifying($"http://127.0.0.1:{pingPort}/cb"));
        provider.Device.AutoDecision = "approved";

        var result = await NodeScript.RunAsync("openid-client", "ciba-flow.mjs", provider.Issuer, TestClients.Ping, TestClients.PingSecret,
            "alice", "ping interop", pingPort.ToString(System.Globalization.CultureInfo.InvariantCulture));

        Assert.True(result.GetProperty("ok").GetBoolean(), result.ToString());
        Assert.True(result.GetProperty("pinged").GetBoolean());
        Assert.Equal("alice-sub", result.GetProperty("sub").GetString());
    }

    [Fact]
    public async Task A_ping_client_may_also_poll()
    {
        await using var receiver = await NotificationReceiver.StartAsync(FreePort.Next());
        await using var provider = await TestProvider.StartAsync(TestClients.Notifying(receiver.Endpoint));
        var authorization = await provider.AuthorizeAsync(clientId: TestClients.Ping, clientSecret: TestClients.PingSecret,
            configure: r => r.ClientNotificationToken = TestClients.NewNotificationToken());

        var pending = await provider.RedeemAsync(authorization.AuthenticationRequestId!, TestClients.Ping, TestClients.PingSecret);
        Assert.Equal("authorization_pending", pending.Error);
        Assert.Equal(HttpStatusCode.BadRequest, pending.HttpStatusCode);
    }
}
