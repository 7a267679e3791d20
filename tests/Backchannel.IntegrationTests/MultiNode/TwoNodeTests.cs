using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Backchannel.IntegrationTests.Infrastructure;
using Duende.IdentityModel.Client;

namespace Backchannel.IntegrationTests.MultiNode;

/// <summary>
/// Two provider processes on loopback sharing one PostgreSQL database, addressed directly: whatever node a step
/// reaches, the request is the same, decided once, redeemed once, polled by one rule, notified once.
/// </summary>
public sealed class TwoNodeTests : IAsyncLifetime
{
    private PostgresNodes? _nodes;
    private HostProcess? _a;
    private HostProcess? _b;
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };

    private PostgresNodes Nodes => _nodes!;

    private string A => _a!.Issuer;

    private string B => _b!.Issuer;

    public async Task InitializeAsync()
    {
        _nodes = await PostgresNodes.CreateAsync();
        var portA = FreePort.Next();
        var issuer = $"http://127.0.0.1:{portA}";

        // Both nodes start together: migrations, seeding and key creation happen once, under the store's locks.
        var nodes = await Task.WhenAll(Nodes.StartNodeAsync(portA, issuer), Nodes.StartNodeAsync(FreePort.Next(), issuer));
        (_a, _b) = (nodes[0], nodes[1]);
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        if (_nodes is not null)
        {
            await _nodes.DisposeAsync();
        }
    }

    private async Task<string> AuthorizeAsync(string node, string bindingMessage, string clientId = TestClients.Poll, string secret = TestClients.PollSecret)
    {
        var response = await _http.RequestBackchannelAuthenticationAsync(new BackchannelAuthenticationRequest
        {
            Address = node + "/bc-authorize",
            ClientId = clientId,
            ClientSecret = secret,
            Scope = "openid",
            LoginHint = "alice",
            BindingMessage = bindingMessage,
            ClientNotificationToken = clientId == TestClients.Poll ? null : TestClients.NewNotificationToken(),
        });
        Assert.False(response.IsError, response.Raw);
        return response.AuthenticationRequestId!;
    }

    private Task<TokenResponse> RedeemAsync(string node, string authReqId, string clientId = TestClients.Poll, string secret = TestClients.PollSecret) =>
        _http.RequestBackchannelAuthenticationTokenAsync(new BackchannelAuthenticationTokenRequest
        {
            Address = node + "/token",
            ClientId = clientId,
            ClientSecret = secret,
            AuthenticationRequestId = authReqId,
        });

    /// <summary>The device's callback sent to <paramref name="node"/>, whatever URL the notification named.</summary>
    private async Task<HttpStatusCode> ApproveAtAsync(string node, ReceivedNotification notification)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, node + "/ciba/callback") { Content = JsonContent.Create(new { status = "approved" }) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", notification.CallbackToken);
        using var response = await _http.SendAsync(request);
        return response.StatusCode;
    }

    [Fact]
    public async Task A_request_made_on_one_node_is_approved_through_the_other_and_redeemed_on_the_first()
    {
        var authReqId = await AuthorizeAsync(A, "two nodes: A, B, A");
        var notification = await Nodes.Device.ForAsync("two nodes: A, B, A", TimeSpan.FromSeconds(15));

        Assert.Equal("authorization_pending", (await RedeemAsync(B, authReqId)).Error);
        Assert.Equal(HttpStatusCode.NoContent, await ApproveAtAsync(B, notification));
        Assert.Equal(HttpStatusCode.Conflict, await ApproveAtAsync(A, notification));

        var tokens = await RedeemAsync(A, authReqId);
        Assert.False(tokens.IsError, tokens.Raw);

        // Either node validates what the other issued (shared keys) and refuses a second redemption.
        using var userInfo = new HttpRequestMessage(HttpMethod.Get, B + "/userinfo");
        userInfo.Headers.Authorization = new AuthenticationHeaderValue("Bearer", tokens.AccessToken);
        using var answer = await _http.SendAsync(userInfo);
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        Assert.Equal("invalid_grant", (await RedeemAsync(B, authReqId)).Error);
    }

    [Fact]
    public async Task Twenty_concurrent_redemptions_spread_over_both_nodes_give_one_winner()
    {
        var authReqId = await AuthorizeAsync(B, "two nodes: race");
        var notification = await Nodes.Device.ForAsync("two nodes: race", TimeSpan.FromSeconds(15));
        Assert.Equal(HttpStatusCode.NoContent, await ApproveAtAsync(A, notification));

        var answers = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => RedeemAsync(i % 2 == 0 ? A : B, authReqId)));

        Assert.Single(answers, a => !a.IsError);
        Assert.All(answers.Where(a => a.IsError), a => Assert.Equal("invalid_grant", a.Error));
    }

    [Fact]
    public async Task Polls_alternating_between_nodes_follow_one_interval()
    {
        var authReqId = await AuthorizeAsync(A, "two nodes: polls");

        // The interval is 5 s: the second poll, on the other node a moment later, is too fast; the interval grew for
        // both nodes, so the third poll, on the first node, is too fast as well and grows it again.
        Assert.Equal("authorization_pending", (await RedeemAsync(A, authReqId)).Error);
        var second = await RedeemAsync(B, authReqId);
        Assert.Equal("slow_down", second.Error);
        Assert.Contains("at least 10 seconds", second.ErrorDescription, StringComparison.Ordinal);
        var third = await RedeemAsync(A, authReqId);
        Assert.Equal("slow_down", third.Error);
        Assert.Contains("at least 15 seconds", third.ErrorDescription, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Pings_and_pushes_are_delivered_once_with_both_nodes_workers_running()
    {
        Nodes.Device.AutoDecision = "approved";
        var expected = new Dictionary<string, string>();
        for (var i = 0; i < 10; i++)
        {
            var node = i % 2 == 0 ? A : B;
            expected[await AuthorizeAsync(node, $"two nodes: ping {i}", TestClients.Ping, TestClients.PingSecret)] = TestClients.Ping;
            expected[await AuthorizeAsync(node, $"two nodes: push {i}", TestClients.Push, TestClients.PushSecret)] = TestClients.Push;
        }

        var received = new Dictionary<string, int>();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (received.Count < expected.Count && DateTime.UtcNow < deadline)
        {
            var call = await Nodes.Receiver.NextAsync(deadline - DateTime.UtcNow);
            received[call.AuthReqId!] = received.GetValueOrDefault(call.AuthReqId!) + 1;
        }

        Assert.Equal(expected.Keys.Order(), received.Keys.Order());
        Assert.False(await Nodes.Receiver.AnyMoreWithinAsync(TimeSpan.FromSeconds(2)), "each notification arrives once");
        Assert.All(received.Values, count => Assert.Equal(1, count));

        // The pinged requests are redeemed on either node, once.
        foreach (var (authReqId, _) in expected.Where(e => e.Value == TestClients.Ping))
        {
            var tokens = await RedeemAsync(B, authReqId, TestClients.Ping, TestClients.PingSecret);
            Assert.False(tokens.IsError, tokens.Raw);
        }
    }
}
