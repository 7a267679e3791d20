using System.Net;
using Backchannel.IntegrationTests.Infrastructure;
using Duende.IdentityModel.Client;

namespace Backchannel.IntegrationTests;

/// <summary>Accepted requests live in the SQLite file and survive a restart of the server process.</summary>
public class RestartTests
{
    [Fact]
    public async Task A_request_accepted_before_a_restart_is_approved_and_redeemed_after_it()
    {
        var directory = Path.Combine(Path.GetTempPath(), "backchannel-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        await using var device = await FakeDeviceService.StartAsync();
        var port = FreePort.Next();
        var settings = HostProcess.BaseSettings(Path.Combine(directory, "restart.db"), device.NotifyUrl, FakeDeviceService.Token);
        settings["Backchannel:Clients:0:client_id"] = TestClients.Poll;
        settings["Backchannel:Clients:0:client_secret"] = TestClients.PollSecret;
        settings["Backchannel:Clients:0:backchannel_token_delivery_mode"] = "poll";

        // A process runs on the real clock: a polling interval of 1 s (instead of 5) keeps the wait between two polls short.
        settings["Backchannel:Ciba:PollingIntervalSeconds"] = "1";

        string authReqId;
        ReceivedNotification notification;
        string jwksBefore;
        await using (var first = await HostProcess.StartAsync(port, settings))
        {
            using var http = new HttpClient();
            var authorization = await http.RequestBackchannelAuthenticationAsync(new BackchannelAuthenticationRequest
            {
                Address = first.Issuer + "/bc-authorize",
                ClientId = TestClients.Poll,
                ClientSecret = TestClients.PollSecret,
                Scope = "openid",
                LoginHint = "alice",
            });
            Assert.False(authorization.IsError, authorization.Raw);
            authReqId = authorization.AuthenticationRequestId!;
            notification = await device.NextAsync();
            jwksBefore = await http.GetStringAsync(first.Issuer + "/jwks");
            await first.StopAsync();
        }

        await using var second = await HostProcess.StartAsync(port, settings);
        using var client = new HttpClient();
        Assert.Equal(jwksBefore, await client.GetStringAsync(second.Issuer + "/jwks"));

        var pending = await client.RequestBackchannelAuthenticationTokenAsync(new BackchannelAuthenticationTokenRequest
        {
            Address = second.Issuer + "/token",
            ClientId = TestClients.Poll,
            ClientSecret = TestClients.PollSecret,
            AuthenticationRequestId = authReqId,
        });
        Assert.Equal("authorization_pending", pending.Error);

        Assert.Equal(HttpStatusCode.NoContent, (await device.ApproveAsync(notification)).StatusCode);

        // One interval since the pending poll (the approval took some time too): not polling too fast.
        await Task.Delay(TimeSpan.FromSeconds(1));
        var tokens = await client.RequestBackchannelAuthenticationTokenAsync(new BackchannelAuthenticationTokenRequest
        {
            Address = second.Issuer + "/token",
            ClientId = TestClients.Poll,
            ClientSecret = TestClients.PollSecret,
            AuthenticationRequestId = authReqId,
        });
        Assert.False(tokens.IsError, tokens.ErrorDescription);
        Assert.NotNull(tokens.IdentityToken);
        await second.StopAsync();
        Directory.Delete(directory, recursive: true);
    }
}
