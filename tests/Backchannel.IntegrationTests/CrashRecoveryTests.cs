using Backchannel.IntegrationTests.Infrastructure;
using Duende.IdentityModel.Client;

namespace Backchannel.IntegrationTests;

/// <summary>Notifications accepted before the server process is killed are delivered after it comes back.</summary>
public class CrashRecoveryTests
{
    [Fact]
    public async Task Undelivered_pings_and_pushes_survive_a_killed_process_and_arrive_after_the_restart()
    {
        var directory = Path.Combine(Path.GetTempPath(), "backchannel-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        await using var device = await FakeDeviceService.StartAsync();
        var receiverPort = FreePort.Next();
        var hostPort = FreePort.Next();
        var settings = HostProcess.BaseSettings(Path.Combine(directory, "crash.db"), device.NotifyUrl, FakeDeviceService.Token);
        settings["Backchannel:Notifications:InitialRetryDelaySeconds"] = "0.2";
        settings["Backchannel:Notifications:MaxRetryDelaySeconds"] = "1";
        settings["Backchannel:Ciba:MaxRequestsPerUserPerMinute"] = "0";
        foreach (var (key, value) in TestClients.Notifying($"http://127.0.0.1:{receiverPort}/cb"))
        {
            settings[key.Replace(":6:", ":0:", StringComparison.Ordinal).Replace(":7:", ":1:", StringComparison.Ordinal)] = value;
        }

        var expected = new Dictionary<string, string>();
        await using (var first = await HostProcess.StartAsync(hostPort, settings))
        {
            using var http = new HttpClient();
            foreach (var (clientId, secret) in new[] { (TestClients.Ping, TestClients.PingSecret), (TestClients.Push, TestClients.PushSecret) })
            {
                for (var i = 0; i < 3; i++)
                {
                    var authorization = await http.RequestBackchannelAuthenticationAsync(new BackchannelAuthenticationRequest
                    {
                        Address = first.Issuer + "/bc-authorize",
                        ClientId = clientId,
                        ClientSecret = secret,
                        Scope = "openid",
                        LoginHint = "alice",
                        RequestedExpiry = 120,
                        ClientNotificationToken = TestClients.NewNotificationToken(),
                    });
                    Assert.False(authorization.IsError, authorization.Raw);
                    expected[authorization.AuthenticationRequestId!] = clientId;
                    await device.ApproveNextAsync();
                }
            }

            // The client endpoint is down: the notifications wait in the outbox, retrying. Then the process dies.
            await Task.Delay(500);
            await first.KillAsync();
        }

        await using var receiver = await NotificationReceiver.StartAsync(receiverPort);
        await using var second = await HostProcess.StartAsync(hostPort, settings);

        var received = new Dictionary<string, ReceivedCall>();
        while (received.Count < expected.Count)
        {
            var call = await receiver.NextAsync(TimeSpan.FromSeconds(15));
            received.TryAdd(call.AuthReqId!, call);
        }

        Assert.Equal(expected.Keys.Order(), received.Keys.Order());
        foreach (var (authReqId, call) in received)
        {
            if (expected[authReqId] == TestClients.Push)
            {
                Assert.True(call.Body.TryGetProperty("id_token", out _), call.Body.ToString());
                Assert.True(call.Body.TryGetProperty("refresh_token", out _));
            }
            else
            {
                Assert.Single(call.Body.EnumerateObject());
            }
        }

        Assert.False(await receiver.AnyMoreWithinAsync(TimeSpan.FromSeconds(2)), "each notification arrives once after the restart");
        await second.StopAsync();
        Directory.Delete(directory, recursive: true);
    }
}
