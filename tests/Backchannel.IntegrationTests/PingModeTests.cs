using System.Net;
using Backchannel.IntegrationTests.Infrastructure;
using Duende.IdentityModel.Client;

namespace Backchannel.IntegrationTests;

/// <summary>
/// Ping mode (CIBA 10.2) end to end with Duende.IdentityModel and a real notification endpoint; one provider and one
/// endpoint for the class, on a clock the tests advance. Each test takes the calls of its own requests (by auth_req_id).
/// </summary>
public class PingModeTests(SharedNotifyingProvider shared) : IClassFixture<SharedNotifyingProvider>
{
    [Fact]
    public async Task The_client_is_pinged_after_approval_and_then_redeems()
    {
        var (provider, receiver) = (shared.Provider, shared.Receiver);
        var notificationToken = TestClients.NewNotificationToken();

        var authorization = await provider.AuthorizeAsync(clientId: TestClients.Ping, clientSecret: TestClients.PingSecret,
            configure: r => r.ClientNotificationToken = notificationToken);
        Assert.False(authorization.IsError, authorization.Raw);
        Assert.Equal(1, authorization.Interval);
        receiver.AnswerFor(authorization.AuthenticationRequestId!, 200);
        await provider.ApproveLastAsync();

        var ping = await receiver.ForAsync(authorization.AuthenticationRequestId!);
        Assert.Equal($"Bearer {notificationToken}", ping.Authorization);
        Assert.Equal(authorization.AuthenticationRequestId, ping.AuthReqId);
        Assert.Single(ping.Body.EnumerateObject());

        var tokens = await provider.RedeemAsync(ping.AuthReqId!, TestClients.Ping, TestClients.PingSecret);
        Assert.False(tokens.IsError, tokens.ErrorDescription);
        await TokenAssertions.ValidateIdTokenAsync(provider, tokens.IdentityToken!, TestClients.Ping);

        // Past the lease of the delivered ping and any retry: nothing more for this request, and nothing left to send.
        Assert.False(await receiver.AnyMoreForWithinAsync(ping.AuthReqId!, TimeSpan.FromSeconds(1), provider.FakeTime, TimeSpan.FromSeconds(75)),
            "the ping was delivered once");
        Assert.Empty(await provider.OutboxForAsync(ping.AuthReqId!));
    }

    [Fact]
    public async Task The_client_is_pinged_after_a_denial_and_after_an_expiry()
    {
        var (provider, receiver) = (shared.Provider, shared.Receiver);

        var denied = await provider.AuthorizeAsync(clientId: TestClients.Ping, clientSecret: TestClients.PingSecret,
            configure: r => r.ClientNotificationToken = TestClients.NewNotificationToken());
        using (var denial = await provider.Device.DenyAsync(await provider.LastNotificationAsync()))
        {
            Assert.Equal(HttpStatusCode.NoContent, denial.StatusCode);
        }

        Assert.Equal(denied.AuthenticationRequestId, (await receiver.ForAsync(denied.AuthenticationRequestId!)).AuthReqId);
        Assert.Equal("access_denied", (await provider.RedeemAsync(denied.AuthenticationRequestId!, TestClients.Ping, TestClients.PingSecret)).Error);

        var expiring = await provider.AuthorizeAsync(clientId: TestClients.Ping, clientSecret: TestClients.PingSecret,
            configure: r => { r.ClientNotificationToken = TestClients.NewNotificationToken(); r.RequestedExpiry = 1; });
        Assert.Equal(1, expiring.ExpiresIn);

        // The clock moves on a second at a time until the expiry is noticed and the client pinged.
        var expiry = await receiver.ForAsync(expiring.AuthenticationRequestId!, TimeSpan.FromSeconds(5), provider.FakeTime);
        Assert.Equal(expiring.AuthenticationRequestId, expiry.AuthReqId);
        Assert.Equal("expired_token", (await provider.RedeemAsync(expiring.AuthenticationRequestId!, TestClients.Ping, TestClients.PingSecret)).Error);
    }

    [Fact]
    public async Task A_ping_client_must_send_a_well_formed_client_notification_token()
    {
        var provider = shared.Provider;

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
        var provider = shared.Provider;
        var authorization = await provider.AuthorizeAsync(clientId: TestClients.Ping, clientSecret: TestClients.PingSecret,
            configure: r => r.ClientNotificationToken = TestClients.NewNotificationToken());

        var pending = await provider.RedeemAsync(authorization.AuthenticationRequestId!, TestClients.Ping, TestClients.PingSecret);
        Assert.Equal("authorization_pending", pending.Error);
        Assert.Equal(HttpStatusCode.BadRequest, pending.HttpStatusCode);
    }
}
