using System.Collections.Concurrent;
using System.Net;
using Backchannel.IntegrationTests.Infrastructure;
using Duende.IdentityModel.Client;

namespace Backchannel.IntegrationTests.MultiNode;

/// <summary>
/// Two provider nodes behind haproxy (round robin) on one PostgreSQL database, with flows running through the balancer
/// while one node is killed with SIGKILL: every request the provider acknowledged completes (its device is notified,
/// the user's approval lands, the client gets its tokens or its ping), none is redeemed twice.
/// </summary>
public sealed class LoadBalancedNodesTests
{
    private const int Concurrency = 8;
    private const int KillAfterAcknowledged = 40;
    private const int Flows = 120;

    [Fact]
    public async Task Flows_through_the_balancer_survive_a_node_killed_mid_run()
    {
        await using var nodes = await PostgresNodes.CreateAsync();
        var (portA, portB, balancerPort) = (FreePort.Next(), FreePort.Next(), FreePort.Next());
        var issuer = $"http://127.0.0.1:{balancerPort}";
        nodes.Settings["Backchannel:Ciba:PollingIntervalSeconds"] = "1";
        nodes.Settings["Backchannel:Notifications:TimeoutSeconds"] = "2";
        nodes.Settings["Backchannel:Notifications:LeaseSeconds"] = "3";
        await Task.WhenAll(nodes.StartNodeAsync(portA, issuer), nodes.StartNodeAsync(portB, issuer));
        await using var balancer = await Haproxy.StartAsync(balancerPort, [portA, portB]);
        nodes.Device.AutoDecision = "approved";

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(20) };
        var acknowledged = new ConcurrentDictionary<string, string>();
        var redeemed = new ConcurrentDictionary<string, int>();
        var lostInTransit = new ConcurrentBag<string>();
        var killed = 0;
        var started = 0;

        async Task RunFlowAsync(int index)
        {
            var ping = index % 2 == 1;
            var (clientId, secret) = ping ? (TestClients.Ping, TestClients.PingSecret) : (TestClients.Poll, TestClients.PollSecret);
            string? authReqId = null;
            for (var attempt = 0; authReqId is null; attempt++)
            {
                Assert.True(attempt < 40, "bc-authorize kept failing through the balancer");
                var answer = await AnswerOrNull(() => http.RequestBackchannelAuthenticationAsync(new BackchannelAuthenticationRequest
                {
                    Address = issuer + "/bc-authorize",
                    ClientId = clientId,
                    ClientSecret = secret,
                    Scope = "openid",
                    LoginHint = "alice",
                    BindingMessage = $"balanced {index}",
                    ClientNotificationToken = ping ? TestClients.NewNotificationToken() : null,
                }));
                if (answer is { IsError: false })
                {
                    authReqId = answer.AuthenticationRequestId;
                }
                else
                {
                    // No answer, or the balancer's 502/503 while it takes the dead node out: try again a moment later.
                    Assert.True(answer is null || answer.HttpStatusCode is HttpStatusCode.BadGateway or HttpStatusCode.ServiceUnavailable, answer?.Raw);
                    await Task.Delay(250);
                }
            }

            acknowledged[authReqId!] = clientId;
            if (acknowledged.Count >= KillAfterAcknowledged && Interlocked.Exchange(ref killed, 1) == 0)
            {
                await nodes.Nodes[1].KillAsync();
            }

            if (ping)
            {
                try
                {
                    await nodes.Receiver.NextAsync(TimeSpan.FromSeconds(40), call => call.AuthReqId == authReqId);
                }
                catch (TimeoutException)
                {
                    Assert.Fail($"request {index} was never pinged: {await nodes.DescribeAsync(authReqId!)}; device calls: {nodes.Device.CallsFor($"balanced {index}")}");
                }
            }

            var ambiguous = false;
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (true)
            {
                Assert.True(DateTime.UtcNow < deadline, $"request {index} did not complete");
                var tokens = await AnswerOrNull(() => http.RequestBackchannelAuthenticationTokenAsync(new BackchannelAuthenticationTokenRequest
                {
                    Address = issuer + "/token",
                    ClientId = clientId,
                    ClientSecret = secret,
                    AuthenticationRequestId = authReqId!,
                }));
                if (tokens is null || tokens.HttpStatusCode is HttpStatusCode.BadGateway or HttpStatusCode.ServiceUnavailable)
                {
                    // No answer: the node may have redeemed the request and died before answering.
                    ambiguous |= tokens is null;
                    await Task.Delay(200);
                    continue;
                }

                if (!tokens.IsError)
                {
                    redeemed.AddOrUpdate(authReqId!, 1, (_, n) => n + 1);
                    return;
                }

                if (tokens.Error == "invalid_grant" && ambiguous)
                {
                    lostInTransit.Add(authReqId!);
                    return;
                }

                Assert.True(tokens.Error is "authorization_pending" or "slow_down", $"request {index}: {tokens.Raw}");
                await Task.Delay(tokens.Error == "slow_down" ? 2000 : 1000);
            }
        }

        await Task.WhenAll(Enumerable.Range(0, Concurrency).Select(async _ =>
        {
            int index;
            while ((index = Interlocked.Increment(ref started)) <= Flows)
            {
                await RunFlowAsync(index);
            }
        }));

        Assert.Equal(1, killed);
        Assert.Equal(Flows, acknowledged.Count);
        Assert.All(redeemed.Values, count => Assert.Equal(1, count));
        Assert.True(lostInTransit.Count <= Concurrency, $"{lostInTransit.Count} redemptions lost in transit");
        Assert.Equal(acknowledged.Keys.Order(), redeemed.Keys.Concat(lostInTransit).Order());

        // Every device notification of an acknowledged request went out (the killed node's leased ones by the survivor).
        for (var index = 1; index <= Flows; index++)
        {
            Assert.True(nodes.Device.CallsFor($"balanced {index}") >= 1, $"the device was never told of request {index}");
        }
    }

    /// <summary>The answer, or null when the exchange failed without one (a connection reset by a dying node).</summary>
    private static async Task<T?> AnswerOrNull<T>(Func<Task<T>> exchange)
        where T : ProtocolResponse
    {
        var answer = await exchange();
        return answer.ErrorType == ResponseErrorType.Exception ? null : answer;
    }
}
