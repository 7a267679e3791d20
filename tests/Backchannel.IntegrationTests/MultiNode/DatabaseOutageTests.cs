using System.Collections.Concurrent;
using System.Net;
using Backchannel.IntegrationTests.Infrastructure;
using Backchannel.Tests.Storage;
using Duende.IdentityModel.Client;

namespace Backchannel.IntegrationTests.MultiNode;

/// <summary>
/// The database stopped for 10 s under a steady run of flows: the node answers 503 with Retry-After (never 500) and
/// reports itself not ready meanwhile, loses nothing it acknowledged, and recovers by itself when the database returns.
/// </summary>
public sealed class DatabaseOutageTests
{
    private const int Concurrency = 4;

    [Fact]
    public async Task A_database_outage_gives_503s_with_retry_after_and_the_node_recovers_by_itself()
    {
        // A server of this test's own: stopping the shared one would fail the other tests.
        var server = PostgresServer.StartNew();
        await using var nodes = await PostgresNodes.CreateAsync(server);
        nodes.Settings["Backchannel:Ciba:PollingIntervalSeconds"] = "1";
        var port = FreePort.Next();
        var host = await nodes.StartNodeAsync(port, $"http://127.0.0.1:{port}");
        var node = host.Issuer;
        nodes.Device.AutoDecision = "approved";
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };

        var statuses = new ConcurrentBag<(string Step, HttpStatusCode Status, bool RetryAfter)>();
        var completed = new ConcurrentDictionary<string, bool>();
        var acknowledged = new ConcurrentDictionary<string, bool>();
        using var stop = new CancellationTokenSource();

        async Task FlowsAsync(int worker)
        {
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                var authorization = await http.RequestBackchannelAuthenticationAsync(new BackchannelAuthenticationRequest
                {
                    Address = node + "/bc-authorize",
                    ClientId = TestClients.Poll,
                    ClientSecret = TestClients.PollSecret,
                    Scope = "openid",
                    LoginHint = "alice",
                    BindingMessage = $"outage {worker}-{i}",
                });
                statuses.Add(("bc-authorize", authorization.HttpStatusCode, authorization.HttpResponse?.Headers.RetryAfter is not null));
                if (authorization.IsError)
                {
                    await Task.Delay(200);
                    continue;
                }

                var authReqId = authorization.AuthenticationRequestId!;
                acknowledged[authReqId] = true;
                var deadline = DateTime.UtcNow.AddSeconds(60);
                while (DateTime.UtcNow < deadline)
                {
                    var tokens = await http.RequestBackchannelAuthenticationTokenAsync(new BackchannelAuthenticationTokenRequest
                    {
                        Address = node + "/token",
                        ClientId = TestClients.Poll,
                        ClientSecret = TestClients.PollSecret,
                        AuthenticationRequestId = authReqId,
                    });
                    statuses.Add(("token", tokens.HttpStatusCode, tokens.HttpResponse?.Headers.RetryAfter is not null));
                    if (!tokens.IsError)
                    {
                        completed[authReqId] = true;
                        break;
                    }

                    Assert.True(tokens.Error is "authorization_pending" or "slow_down" || tokens.HttpStatusCode == HttpStatusCode.ServiceUnavailable, tokens.Raw);
                    await Task.Delay(tokens.Error == "slow_down" ? 2000 : 1000);
                }
            }
        }

        var failures = new ConcurrentBag<string>();
        async Task WorkerAsync(int worker)
        {
            try
            {
                await FlowsAsync(worker);
            }
            catch (Exception ex)
            {
                failures.Add($"worker {worker} at {DateTime.UtcNow:HH:mm:ss.fff}: {ex.Message}");
            }
        }

        var workers = Enumerable.Range(0, Concurrency).Select(WorkerAsync).ToArray();
        await WaitUntilAsync(() => completed.Count >= 8, "flows before the outage", host, failures);

        server.Stop();
        var readiness = new List<HttpStatusCode>();
        var outage = DateTime.UtcNow.AddSeconds(10);
        while (DateTime.UtcNow < outage)
        {
            using var ready = await http.GetAsync(node + "/health/ready");
            readiness.Add(ready.StatusCode);
            await Task.Delay(500);
        }

        server.Restart();
        try
        {
            await using var check = new Npgsql.NpgsqlConnection(server.ConnectionString(nodes.Database));
            await check.OpenAsync();
        }
        catch (Npgsql.NpgsqlException ex)
        {
            Assert.Fail($"The database did not come back: {ex.Message}\n{File.ReadAllText(Path.Combine(server.Root, "server.log"))}");
        }
        var before = completed.Count;
        await WaitUntilAsync(() => completed.Count >= before + 8, "flows after the database returned", host, failures);
        await stop.CancelAsync();
        await Task.WhenAll(workers);

        Assert.Empty(failures);
        Assert.DoesNotContain(statuses, s => s.Status == HttpStatusCode.InternalServerError);
        Assert.Contains(statuses, s => s.Status == HttpStatusCode.ServiceUnavailable);
        Assert.All(statuses.Where(s => s.Status == HttpStatusCode.ServiceUnavailable), s => Assert.True(s.RetryAfter, $"{s.Step}: 503 without Retry-After"));
        Assert.Contains(HttpStatusCode.ServiceUnavailable, readiness);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(node + "/health/ready")).StatusCode);

        // Every request acknowledged (before, during or after the outage) completed.
        Assert.Equal(acknowledged.Keys.Order(), completed.Keys.Order());
    }

    private static async Task WaitUntilAsync(Func<bool> condition, string what, HostProcess host, IEnumerable<string> failures)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting for {what} ({string.Join("; ", failures)}); the node's output:\n{host.Output}");
            await Task.Delay(100);
        }
    }
}
