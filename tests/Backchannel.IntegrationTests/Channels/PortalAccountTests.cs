using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Backchannel.IntegrationTests.Infrastructure;

namespace Backchannel.IntegrationTests.Channels;

/// <summary>
/// A provider whose requests go to the portal, with the app channel on (devices sign JWTs with the real time, so the
/// system clock), passwords for alice and bob, a pairwise client, and the operator clients of the admin API.
/// </summary>
public sealed class PortalAccountProvider : SharedProvider
{
    public const string PairwiseClient = "portal-pairwise";
    public const string PairwiseSecret = "portal-pairwise-secret";

    protected override bool FakeClock => false;

    protected override Dictionary<string, string?> Settings()
    {
        var settings = new Dictionary<string, string?>
        {
            ["Backchannel:Channels:Portal:Enabled"] = "true",
            ["Backchannel:Channels:Default"] = "portal",
            ["Backchannel:Channels:App:Enabled"] = "true",
            ["Backchannel:Channels:App:MaxDevicesPerUser"] = "50",
            ["Backchannel:Users:0:password"] = PortalProvider.AlicePassword,
            ["Backchannel:Users:1:password"] = PortalProvider.BobPassword,
            ["Backchannel:Clients:10:client_id"] = PairwiseClient,
            ["Backchannel:Clients:10:client_secret"] = PairwiseSecret,
            ["Backchannel:Clients:10:client_name"] = "Pairwise test client",
            ["Backchannel:Clients:10:backchannel_token_delivery_mode"] = "poll",
            ["Backchannel:Clients:10:subject_type"] = "pairwise",
            ["Backchannel:Clients:10:sector_identifier_uri"] = "https://a.example/ciba-clients.json",
        };
        foreach (var (key, value) in AdminClients.Settings())
        {
            settings[key] = value;
        }

        return settings;
    }
}

/// <summary>
/// The portal's account pages over plain HTTP with the portal's own sign-in: the user's history (<c>GET /device/history</c>,
/// HTML and JSON, paged), and the user's app devices, registered from the session through <c>POST /ciba/devices</c>
/// (with the anti-forgery header), listed on <c>/device</c> and removed there; never another user's.
/// </summary>
public sealed class PortalAccountTests(PortalAccountProvider shared) : IClassFixture<PortalAccountProvider>
{
    private TestProvider Provider => shared.Provider;

    [Fact]
    public async Task A_flow_alice_approved_is_in_alices_history_newest_first_and_not_in_bobs()
    {
        using var alice = await PortalUser.SignInAsync(Provider, "alice", PortalProvider.AlicePassword);
        using var bob = await PortalUser.SignInAsync(Provider, "bob", PortalProvider.BobPassword);
        var message = "History " + Guid.NewGuid().ToString("N")[..8];
        var authorization = await Provider.AuthorizeAsync("alice", message);
        Assert.False(authorization.IsError, authorization.Raw);
        var requestId = await RequestIdAsync(message);

        using (var approved = await alice.PostFormAsync("/device/requests/" + requestId, new() { ["decision"] = "approve" }))
        {
            Assert.Equal(HttpStatusCode.SeeOther, approved.StatusCode);
            Assert.Equal("/device?answer=approved", approved.Headers.Location?.OriginalString);
        }

        Assert.False((await Provider.RedeemAsync(authorization.AuthenticationRequestId!)).IsError);

        var (history, raw) = await HistoryJsonAsync(alice, "/device/history");
        var events = history.GetProperty("items").EnumerateArray().Where(e => e.GetProperty("request_id").GetString() == requestId).ToList();
        var kinds = events.Select(e => e.GetProperty("event").GetString()).ToList();
        Assert.Contains("notified", kinds);
        Assert.Equal(["redeemed", "decided", "requested"], kinds.Where(k => k is "redeemed" or "decided" or "requested"));
        var decided = events.Single(e => e.GetProperty("event").GetString() == "decided");
        Assert.Equal(["event", "at", "request_id", "client_id", "client_name", "channel", "approved", "detail", "device"],
            decided.EnumerateObject().Select(p => p.Name));
        Assert.True(decided.GetProperty("approved").GetBoolean());
        Assert.Equal("portal", decided.GetProperty("channel").GetString());
        Assert.Equal(TestClients.Poll, decided.GetProperty("client_id").GetString());
        Assert.Equal("Poll test client", decided.GetProperty("client_name").GetString());
        var times = history.GetProperty("items").EnumerateArray().Select(e => e.GetProperty("at").GetDateTimeOffset()).ToList();
        Assert.Equal(times.OrderDescending(), times);
        Assert.DoesNotContain(message, raw);
        Assert.DoesNotContain(authorization.AuthenticationRequestId!, raw);

        using var page = await alice.Http.GetAsync("/device/history");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("script-src 'self'", string.Join(";", page.Headers.GetValues("Content-Security-Policy")));
        var html = await page.Content.ReadAsStringAsync();
        Assert.Contains($"data-request-id=\"{requestId}\"", html);
        Assert.Contains("You approved", html);
        Assert.DoesNotContain(message, html);
        Assert.Contains("href=\"/device/history\"", await alice.PageAsync());

        var (_, bobsRaw) = await HistoryJsonAsync(bob, "/device/history");
        Assert.DoesNotContain(requestId, bobsRaw);
        using var bobsPage = await bob.Http.GetAsync("/device/history");
        Assert.DoesNotContain(requestId, await bobsPage.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_pairwise_clients_request_is_in_the_history_of_the_user_it_named()
    {
        using var alice = await PortalUser.SignInAsync(Provider, "alice", PortalProvider.AlicePassword);
        var message = "Pairwise " + Guid.NewGuid().ToString("N")[..8];
        var authorization = await Provider.AuthorizeAsync("alice", message, PortalAccountProvider.PairwiseClient, PortalAccountProvider.PairwiseSecret);
        Assert.False(authorization.IsError, authorization.Raw);
        var requestId = await RequestIdAsync(message);
        using (var denied = await alice.PostFormAsync("/device/requests/" + requestId, new() { ["decision"] = "deny" }))
        {
            Assert.Equal("/device?answer=denied", denied.Headers.Location?.OriginalString);
        }

        var (history, _) = await HistoryJsonAsync(alice, "/device/history");
        var decided = history.GetProperty("items").EnumerateArray()
            .Single(e => e.GetProperty("request_id").GetString() == requestId && e.GetProperty("event").GetString() == "decided");
        Assert.False(decided.GetProperty("approved").GetBoolean());
        Assert.Equal("Pairwise test client", decided.GetProperty("client_name").GetString());
        Assert.Equal("access_denied", (await Provider.RedeemAsync(authorization.AuthenticationRequestId!,
            PortalAccountProvider.PairwiseClient, PortalAccountProvider.PairwiseSecret)).Error);
    }

    [Fact]
    public async Task The_history_pages_with_a_limit_and_a_cursor_and_refuses_a_bad_one()
    {
        using var alice = await PortalUser.SignInAsync(Provider, "alice", PortalProvider.AlicePassword);
        for (var i = 0; i < 2; i++)
        {
            Assert.False((await Provider.AuthorizeAsync("alice")).IsError);
        }

        var (all, _) = await HistoryJsonAsync(alice, "/device/history?limit=200");
        var expected = all.GetProperty("items").EnumerateArray().Select(Key).ToList();
        Assert.True(expected.Count >= 2);

        var seen = new List<string>();
        string? next = "/device/history?limit=1";
        while (next is not null && seen.Count < expected.Count + 10)
        {
            var (page, _) = await HistoryJsonAsync(alice, next);
            var items = page.GetProperty("items").EnumerateArray().ToList();
            Assert.True(items.Count <= 1);
            seen.AddRange(items.Select(Key));
            next = page.GetProperty("next").GetString();
            if (next is not null)
            {
                Assert.StartsWith(Provider.Issuer + "/device/history?limit=1&cursor=", next);
            }
        }

        // Every event of the full list, in its order, one page at a time; an event recorded meanwhile (newer) moves nothing.
        Assert.Equal(expected, seen.Where(expected.Contains));
        Assert.Equal(seen.Count, seen.Distinct().Count());

        using var html = await alice.Http.GetAsync("/device/history?limit=1");
        Assert.Contains("rel=\"next\" href=\"/device/history?limit=1&amp;cursor=", await html.Content.ReadAsStringAsync());

        foreach (var bad in new[] { "/device/history?cursor=not-a-cursor!", "/device/history?limit=0", "/device/history?cursor=bm9wZQ" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, bad);
            request.Headers.Accept.ParseAdd("application/json");
            using var refused = await alice.Http.SendAsync(request);
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            Assert.Equal("invalid_request", (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString());
        }

        static string Key(JsonElement e) => e.GetProperty("request_id").GetString() + "/" + e.GetProperty("event").GetString();
    }

    [Fact]
    public async Task Without_a_session_the_history_page_sends_to_the_sign_in_and_its_json_is_401()
    {
        using var anonymous = PortalUser.Anonymous(Provider);
        using var page = await anonymous.Http.GetAsync("/device/history");
        Assert.Equal(HttpStatusCode.SeeOther, page.StatusCode);
        Assert.Equal("/device/signin?returnUrl=%2Fdevice%2Fhistory", page.Headers.Location?.OriginalString);

        using var request = new HttpRequestMessage(HttpMethod.Get, "/device/history");
        request.Headers.Accept.ParseAdd("application/json");
        using var json = await anonymous.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.Unauthorized, json.StatusCode);
        Assert.Equal("login_required", (await json.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString());
    }

    [Fact]
    public async Task A_signed_in_user_registers_a_device_with_the_anti_forgery_header_and_sees_it_listed()
    {
        using var bob = await PortalUser.SignInAsync(Provider, "bob", PortalProvider.BobPassword);
        var device = new TestAppDevice(Provider, name: "<b>Bob's</b> tablet");
        var body = new Dictionary<string, object> { ["jwk"] = device.PublicJwk, ["name"] = device.Name };

        using (var withoutToken = await bob.SendJsonAsync(HttpMethod.Post, "/ciba/devices", body, withToken: false))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, withoutToken.StatusCode);
            Assert.Contains("RequestVerificationToken", (await withoutToken.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error_description").GetString());
        }

        using (var anonymous = PortalUser.Anonymous(Provider))
        {
            using var forged = await anonymous.SendJsonAsync(HttpMethod.Post, "/ciba/devices", body);
            Assert.Equal(HttpStatusCode.Unauthorized, forged.StatusCode);
        }

        using (var registered = await bob.SendJsonAsync(HttpMethod.Post, "/ciba/devices", body))
        {
            await registered.AssertStatusAsync(HttpStatusCode.Created);
            Assert.Equal(device.Id, (await registered.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("device_id").GetString());
        }

        using (var listed = await bob.SendJsonAsync(HttpMethod.Get, "/ciba/devices", withToken: false))
        {
            await listed.AssertStatusAsync(HttpStatusCode.OK);
            Assert.Contains(device.Id, await listed.Content.ReadAsStringAsync());
        }

        var page = await bob.PageAsync();
        Assert.Contains($"data-device-id=\"{device.Id}\"", page);
        Assert.Contains("&lt;b&gt;Bob&#x27;s&lt;/b&gt; tablet", page);
        Assert.DoesNotContain("<b>Bob's</b>", page);

        // The device works: its own JWTs read its (empty) list of app requests.
        var (response, _) = await device.PendingAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task A_user_removes_their_device_in_the_portal_and_never_another_users()
    {
        using var alice = await PortalUser.SignInAsync(Provider, "alice", PortalProvider.AlicePassword);
        using var bob = await PortalUser.SignInAsync(Provider, "bob", PortalProvider.BobPassword);
        var alices = await RegisterAsync(alice, "Alice's old phone");
        var bobs = await RegisterAsync(bob, "Bob's phone");

        using (var withoutToken = await alice.PostFormAsync($"/device/devices/{alices.Id}/remove", withToken: false))
        {
            Assert.Equal(HttpStatusCode.BadRequest, withoutToken.StatusCode);
        }

        using (var notHers = await alice.PostFormAsync($"/device/devices/{bobs.Id}/remove"))
        {
            Assert.Equal("/device?device=unknown", notHers.Headers.Location?.OriginalString);
        }

        using (var notHersEither = await alice.SendJsonAsync(HttpMethod.Delete, "/ciba/devices/" + bobs.Id))
        {
            Assert.Equal(HttpStatusCode.NotFound, notHersEither.StatusCode);
        }

        Assert.Contains($"data-device-id=\"{bobs.Id}\"", await bob.PageAsync());
        Assert.Equal(HttpStatusCode.OK, (await bobs.PendingAsync()).Response.StatusCode);

        using (var removed = await alice.PostFormAsync($"/device/devices/{alices.Id}/remove"))
        {
            Assert.Equal(HttpStatusCode.SeeOther, removed.StatusCode);
            Assert.Equal("/device?device=removed", removed.Headers.Location?.OriginalString);
        }

        var page = await alice.PageAsync("?device=removed");
        Assert.Contains("The device was removed", page);
        Assert.DoesNotContain($"data-device-id=\"{alices.Id}\"", page);
        Assert.Equal(HttpStatusCode.Unauthorized, (await alices.PendingAsync()).Response.StatusCode);

        // The device endpoints take the same session: DELETE with the header removes, without it is refused.
        var another = await RegisterAsync(alice, "Alice's laptop");
        using (var withoutHeader = await alice.SendJsonAsync(HttpMethod.Delete, "/ciba/devices/" + another.Id, withToken: false))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, withoutHeader.StatusCode);
        }

        using (var deleted = await alice.SendJsonAsync(HttpMethod.Delete, "/ciba/devices/" + another.Id))
        {
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        }
    }

    /// <summary>A new device of the signed-in user, registered through the session.</summary>
    private async Task<TestAppDevice> RegisterAsync(PortalUser user, string name)
    {
        var device = new TestAppDevice(Provider, name: name);
        using var registered = await user.SendJsonAsync(HttpMethod.Post, "/ciba/devices",
            new Dictionary<string, object> { ["jwk"] = device.PublicJwk, ["name"] = name });
        await registered.AssertStatusAsync(HttpStatusCode.Created);
        return device;
    }

    private static async Task<(JsonElement Body, string Raw)> HistoryJsonAsync(PortalUser user, string pathOrUrl)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, pathOrUrl);
        request.Headers.Accept.ParseAdd("application/json");
        using var response = await user.Http.SendAsync(request);
        var raw = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, raw);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        return (JsonDocument.Parse(raw).RootElement.Clone(), raw);
    }

    /// <summary>The transaction id of the request with this binding message, as stored.</summary>
    private async Task<string> RequestIdAsync(string bindingMessage)
    {
        await using var database = Provider.OpenDatabase();
        await using var command = database.CreateCommand();
        command.CommandText = "SELECT id FROM auth_requests WHERE binding_message = $message";
        command.Parameters.AddWithValue("$message", bindingMessage);
        return (string)(await command.ExecuteScalarAsync())!;
    }
}
