using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Backchannel.IntegrationTests.Infrastructure;
using Duende.IdentityModel.Client;

namespace Backchannel.IntegrationTests.MultiNode;

/// <summary>
/// Long polling across nodes: a poll held by one node is answered as soon as the user's decision lands on the other
/// (the change feed crosses nodes through PostgreSQL's LISTEN/NOTIFY), not when its time is up.
/// </summary>
public sealed class CrossNodeLongPollTests
{
    [Fact]
    public async Task A_poll_held_on_one_node_is_answered_when_the_decision_lands_on_the_other()
    {
        await using var nodes = await PostgresNodes.CreateAsync();
        nodes.Settings["Backchannel:Ciba:LongPollSeconds"] = "25";
        var portA = FreePort.Next();
        var issuer = $"http://127.0.0.1:{portA}";
        var started = await Task.WhenAll(nodes.StartNodeAsync(portA, issuer), nodes.StartNodeAsync(FreePort.Next(), issuer));
        var (a, b) = (started[0].Issuer, started[1].Issuer);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };

        var authorization = await http.RequestBackchannelAuthenticationAsync(new BackchannelAuthenticationRequest
        {
            Address = a + "/bc-authorize",
            ClientId = TestClients.Poll,
            ClientSecret = TestClients.PollSecret,
            Scope = "openid",
            LoginHint = "alice",
            BindingMessage = "cross-node long poll",
        });
        Assert.False(authorization.IsError, authorization.Raw);
        var notification = await nodes.Device.ForAsync("cross-node long poll", TimeSpan.FromSeconds(15));

        // A holds the poll; the decision lands on B.
        var clock = Stopwatch.StartNew();
        var poll = http.RequestBackchannelAuthenticationTokenAsync(new BackchannelAuthenticationTokenRequest
        {
            Address = a + "/token",
            ClientId = TestClients.Poll,
            ClientSecret = TestClients.PollSecret,
            AuthenticationRequestId = authorization.AuthenticationRequestId!,
        });
        await Task.Delay(500);
        Assert.False(poll.IsCompleted, "the poll should be held on A");

        using var callback = new HttpRequestMessage(HttpMethod.Post, b + "/ciba/callback") { Content = JsonContent.Create(new { status = "approved" }) };
        callback.Headers.Authorization = new AuthenticationHeaderValue("Bearer", notification.CallbackToken);
        Assert.Equal(HttpStatusCode.NoContent, (await http.SendAsync(callback)).StatusCode);

        var tokens = await poll;
        Assert.False(tokens.IsError, tokens.Raw);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"answered after {clock.Elapsed.TotalSeconds:0.0} s: the hold ran out instead of waking");
    }
}
