using Backchannel.Domain;
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
        var database = Path.Combine(directory, "crash.db");
        var settings = HostProcess.BaseSettings(database, device.NotifyUrl, FakeDeviceService.Token);
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

            // The client endpoint is down: the notifications wait in the outbox, retrying (each tried and failed at least
            // once). Then the process dies.
            var tried = DateTime.UtcNow.AddSeconds(10);
            long failed;
            while ((failed = Count(database, $"SELECT COUNT(*) FROM outbox WHERE kind IN ({(int)OutboxKind.Ping}, {(int)OutboxKind.Push}) AND attempts >= 1")) < expected.Count && DateTime.UtcNow < tried)
            {
                await Task.Delay(100);
            }

            Assert.Equal(expected.Count, failed);
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

        // Each notification arrives once after the restart: the outbox empties (nothing is left to send, even later), and
        // nothing more arrives meanwhile or just after.
        var deadline = DateTime.UtcNow.AddSeconds(15);
        long waiting;
        while ((waiting = Count(database, "SELECT COUNT(*) FROM outbox")) > 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }

        Assert.Equal(0, waiting);
        Assert.False(await receiver.AnyMoreWithinAsync(TimeSpan.FromSeconds(1)), "each notification arrives once after the restart");
        await second.StopAsync();
        Directory.Delete(directory, recursive: true);
    }

    /// <summary>A count in the server's SQLite file, read beside the running process.</summary>
    private static long Count(string databasePath, string sql)
    {
        using var database = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={databasePath};Mode=ReadOnly;Pooling=False");
        database.Open();
        using var command = database.CreateCommand();
        command.CommandText = sql;
        return (long)command.ExecuteScalar()!;
    }
}
