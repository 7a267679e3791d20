using System.Net;
using System.Text.Json;
using Backchannel.IntegrationTests.Infrastructure;

namespace Backchannel.IntegrationTests.Admin;

/// <summary>The admin API's requests over loopback: listed, read, cancelled (the client told as for a denial), and their audit trail.</summary>
public class AdminRequestsTests(SharedAdminProvider shared) : IClassFixture<SharedAdminProvider>
{
    [Fact]
    public async Task Cancelling_a_pending_ping_request_pings_its_client_and_the_poller_gets_access_denied()
    {
        var (provider, receiver, admin) = (shared.Provider, shared.Receiver, await AdminApi.ConnectAsync(shared.Provider));
        var authorization = await provider.AuthorizeAsync(clientId: TestClients.Ping, clientSecret: TestClients.PingSecret,
            configure: r => r.ClientNotificationToken = TestClients.NewNotificationToken());
        Assert.False(authorization.IsError, authorization.Raw);
        var id = (await provider.LastNotificationAsync()).TransactionId;

        var read = await admin.GetAsync($"/admin/requests/{id}");
        Assert.Equal(HttpStatusCode.OK, read.Status);
        Assert.Equal("pending", read.Body.GetProperty("status").GetString());
        Assert.True(read.Body.GetProperty("has_binding_message").GetBoolean());
        var text = read.Body.GetRawText();
        Assert.DoesNotContain(authorization.AuthenticationRequestId!, text, StringComparison.Ordinal);
        Assert.DoesNotContain(provider.LastBindingMessage!, text, StringComparison.Ordinal);
        Assert.False(read.Body.TryGetProperty("auth_req_id", out _));

        var cancelled = await admin.PostAsync($"/admin/requests/{id}/cancel", new { reason = "reported by the user" });

        Assert.Equal(HttpStatusCode.OK, cancelled.Status);
        Assert.Equal("denied", cancelled.Body.GetProperty("status").GetString());
        Assert.Equal(authorization.AuthenticationRequestId, (await receiver.ForAsync(authorization.AuthenticationRequestId!)).AuthReqId);
        Assert.Equal("access_denied", (await provider.RedeemAsync(authorization.AuthenticationRequestId!, TestClients.Ping, TestClients.PingSecret)).Error);

        var again = await admin.PostAsync($"/admin/requests/{id}/cancel");
        Assert.Equal((HttpStatusCode.Conflict, "conflict"), (again.Status, again.Error));
        Assert.Equal(HttpStatusCode.NotFound, (await admin.PostAsync("/admin/requests/unknown/cancel")).Status);

        var events = (await admin.GetAsync($"/admin/requests/{id}/events")).Items;
        var cancellation = Assert.Single(events, e => e.GetProperty("event").GetString() == "cancelled");
        Assert.Equal($"by {AdminClients.Admin}: reported by the user", cancellation.GetProperty("detail").GetString());
        Assert.DoesNotContain(events, e => e.GetProperty("event").GetString() == "decided");
    }

    [Fact]
    public async Task Requests_are_listed_newest_first_by_client_and_subject()
    {
        var (provider, admin) = (shared.Provider, await AdminApi.ConnectAsync(shared.Provider));
        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            // Ids sort by their creation time in milliseconds: the frozen test clock moves on between the requests.
            provider.FakeTime.Advance(TimeSpan.FromMilliseconds(2));
            Assert.False((await provider.AuthorizeAsync(loginHint: "bob", clientId: TestClients.Post, clientSecret: TestClients.PostSecret)).IsError);
            ids.Add((await provider.LastNotificationAsync()).TransactionId);
        }

        var (items, sizes) = await admin.AllPagesAsync($"/admin/requests?client_id={TestClients.Post}&subject=bob-sub&status=pending&limit=2");
        var listed = items.Select(i => i.GetProperty("id").GetString()!).ToList();

        Assert.Equal(Enumerable.Reverse(ids).ToList(), listed.Where(ids.Contains).ToList());
        Assert.All(items, i =>
        {
            Assert.Equal(TestClients.Post, i.GetProperty("client_id").GetString());
            Assert.Equal("bob-sub", i.GetProperty("subject").GetString());
            Assert.Equal("pending", i.GetProperty("status").GetString());
        });
        Assert.Equal(2, sizes[0]);
        Assert.Empty((await admin.GetAsync($"/admin/requests?client_id={TestClients.Post}&subject=nobody")).Items);
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.GetAsync("/admin/requests?status=approved")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync("/admin/requests/unknown")).Status);
    }

    [Fact]
    public async Task The_audit_trail_of_a_full_flow_comes_in_order()
    {
        var (provider, admin) = (shared.Provider, await AdminApi.ConnectAsync(shared.Provider));
        var authorization = await provider.AuthorizeAsync();
        var notification = await provider.LastNotificationAsync();
        var id = notification.TransactionId;

        // The device has the request; the provider records it notified once the device service answered.
        await EventsUntilAsync(admin, id, events => events.Any(e => e.GetProperty("event").GetString() == "notified"));
        Assert.Equal(HttpStatusCode.NoContent, (await provider.Device.ApproveAsync(notification)).StatusCode);
        var tokens = await provider.RedeemAsync(authorization.AuthenticationRequestId!);
        Assert.False(tokens.IsError, tokens.Error);

        var events = (await admin.GetAsync($"/admin/requests/{id}/events")).Items;

        Assert.Equal(["requested", "notified", "decided", "redeemed"], events.Select(e => e.GetProperty("event").GetString()));
        Assert.All(events, e =>
        {
            Assert.Equal(id, e.GetProperty("request_id").GetString());
            Assert.Equal(TestClients.Poll, e.GetProperty("client_id").GetString());
            Assert.Equal("alice-sub", e.GetProperty("subject").GetString());
        });
        Assert.Equal("LoginHint", events[0].GetProperty("detail").GetString());
        Assert.Equal("http", events[1].GetProperty("channel").GetString());
        Assert.True(events[2].GetProperty("approved").GetBoolean());
        Assert.Equal("callback_token", events[2].GetProperty("detail").GetString());
        Assert.Equal("http", events[2].GetProperty("channel").GetString());
        Assert.Equal("token endpoint", events[3].GetProperty("detail").GetString());

        // Never the binding message, the auth_req_id or a token.
        var text = string.Join(",", events.Select(e => e.GetRawText()));
        Assert.DoesNotContain(provider.LastBindingMessage!, text, StringComparison.Ordinal);
        Assert.DoesNotContain(authorization.AuthenticationRequestId!, text, StringComparison.Ordinal);
        Assert.DoesNotContain(tokens.AccessToken!, text, StringComparison.Ordinal);

        // A page at a time.
        var (paged, sizes) = await admin.AllPagesAsync($"/admin/requests/{id}/events?limit=3");
        Assert.Equal([3, 1], sizes);
        Assert.Equal(events.Select(e => e.GetRawText()), paged.Select(e => e.GetRawText()));
    }

    private static async Task<IReadOnlyList<JsonElement>> EventsUntilAsync(AdminApi admin, string id, Func<IReadOnlyList<JsonElement>, bool> done)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            var events = (await admin.GetAsync($"/admin/requests/{id}/events")).Items;
            if (done(events))
            {
                return events;
            }

            Assert.True(DateTime.UtcNow < deadline, "the events arrived in time");
            await Task.Delay(20);
        }
    }
}
