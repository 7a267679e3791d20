using System.Net;
using Backchannel.IntegrationTests.Infrastructure;

namespace Backchannel.IntegrationTests.Admin;

/// <summary>The admin API's clients over loopback, with a token from the client_credentials grant; one provider for the class.</summary>
public class AdminClientsTests(SharedAdminProvider shared) : IClassFixture<SharedAdminProvider>
{
    private static string NewId(string prefix) => prefix + "-" + Guid.NewGuid().ToString("N")[..8];

    /// <summary>Whether the client authenticates at /token: a CIBA grant with an unknown auth_req_id is invalid_grant, not invalid_client.</summary>
    private async Task<string> AuthenticationProbeAsync(string clientId, string secret)
    {
        var (_, body) = await FormRequests.PostAsync(shared.Provider.Http, "/token",
            [new("grant_type", "urn:openid:params:grant-type:ciba"), new("auth_req_id", "unknown")], (clientId, secret));
        return body.Error();
    }

    [Fact]
    public async Task A_client_is_created_read_updated_and_deleted()
    {
        var admin = await AdminApi.ConnectAsync(shared.Provider);
        var id = NewId("teller");

        var created = await admin.PostAsync("/admin/clients", new { client_id = id, client_name = "Teller desk", backchannel_token_delivery_mode = "poll" });

        Assert.Equal(HttpStatusCode.Created, created.Status);
        Assert.Equal($"{shared.Provider.Issuer}/admin/clients/{id}", created.Response.Headers.Location?.ToString());
        var secret = created.Body.GetProperty("client_secret").GetString()!;
        Assert.True(secret.Length >= 40);
        Assert.Equal("admin", created.Body.GetProperty("source").GetString());
        Assert.NotNull(created.ETag);
        Assert.Equal("invalid_grant", await AuthenticationProbeAsync(id, secret));

        var read = await admin.GetAsync($"/admin/clients/{id}");
        Assert.Equal(HttpStatusCode.OK, read.Status);
        Assert.False(read.Body.TryGetProperty("client_secret", out _), "the secret is never read back");
        Assert.Equal("Teller desk", read.Body.GetProperty("client_name").GetString());
        Assert.Equal(created.ETag, read.ETag);

        var stale = await admin.PutAsync($"/admin/clients/{id}", new { client_name = "Renamed", backchannel_token_delivery_mode = "poll" }, "\"stale\"");
        Assert.Equal(HttpStatusCode.PreconditionFailed, stale.Status);
        Assert.Equal("precondition_failed", stale.Error);

        var updated = await admin.PutAsync($"/admin/clients/{id}", new { client_name = "Renamed", backchannel_token_delivery_mode = "poll" }, read.ETag);
        Assert.Equal(HttpStatusCode.OK, updated.Status);
        Assert.Equal("Renamed", updated.Body.GetProperty("client_name").GetString());
        Assert.NotEqual(read.ETag, updated.ETag);
        Assert.Equal("Renamed", (await admin.GetAsync($"/admin/clients/{id}")).Body.GetProperty("client_name").GetString());
        Assert.Equal("invalid_grant", await AuthenticationProbeAsync(id, secret));

        // The ETag read before the update no longer matches.
        Assert.Equal(HttpStatusCode.PreconditionFailed,
            (await admin.PutAsync($"/admin/clients/{id}", new { backchannel_token_delivery_mode = "poll" }, read.ETag)).Status);

        var invalid = await admin.PutAsync($"/admin/clients/{id}", new { backchannel_token_delivery_mode = "carrier-pigeon" });
        Assert.Equal(HttpStatusCode.BadRequest, invalid.Status);
        Assert.Equal("invalid_client_metadata", invalid.Error);
        Assert.Contains("backchannel_token_delivery_mode", invalid.Description, StringComparison.Ordinal);

        var deleted = await admin.DeleteAsync($"/admin/clients/{id}");
        Assert.Equal(HttpStatusCode.NoContent, deleted.Status);
        Assert.Equal("invalid_client", await AuthenticationProbeAsync(id, secret));
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync($"/admin/clients/{id}")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.DeleteAsync($"/admin/clients/{id}")).Status);
    }

    [Fact]
    public async Task A_given_secret_is_answered_once_and_a_new_one_replaces_it()
    {
        var admin = await AdminApi.ConnectAsync(shared.Provider);
        var id = NewId("given");

        var created = await admin.PostAsync("/admin/clients",
            new { client_id = id, client_secret = "a-given-secret-of-enough-length", backchannel_token_delivery_mode = "poll" });
        Assert.Equal("a-given-secret-of-enough-length", created.Body.GetProperty("client_secret").GetString());

        var rotated = await admin.PutAsync($"/admin/clients/{id}", new { client_secret = "the-next-secret-of-enough-length", backchannel_token_delivery_mode = "poll" });
        Assert.Equal(HttpStatusCode.OK, rotated.Status);
        Assert.False(rotated.Body.TryGetProperty("client_secret", out _));
        Assert.Equal("invalid_client", await AuthenticationProbeAsync(id, "a-given-secret-of-enough-length"));
        Assert.Equal("invalid_grant", await AuthenticationProbeAsync(id, "the-next-secret-of-enough-length"));

        Assert.Equal(HttpStatusCode.Conflict, (await admin.PostAsync("/admin/clients", new { client_id = id, backchannel_token_delivery_mode = "poll" })).Status);
    }

    [Fact]
    public async Task Clients_are_listed_a_page_at_a_time_in_client_id_order()
    {
        var admin = await AdminApi.ConnectAsync(shared.Provider);
        var prefix = NewId("page");
        foreach (var suffix in new[] { "c", "a", "b" })
        {
            Assert.Equal(HttpStatusCode.Created,
                (await admin.PostAsync("/admin/clients", new { client_id = $"{prefix}-{suffix}", backchannel_token_delivery_mode = "poll" })).Status);
        }

        var (items, sizes) = await admin.AllPagesAsync("/admin/clients?limit=2");
        var ids = items.Select(i => i.GetProperty("client_id").GetString()!).ToList();

        Assert.All(sizes.SkipLast(1), size => Assert.Equal(2, size));
        Assert.Equal(ids.Order(StringComparer.Ordinal), ids);
        Assert.Equal(ids.Distinct().Count(), ids.Count);
        Assert.Equal([$"{prefix}-a", $"{prefix}-b", $"{prefix}-c"], ids.Where(i => i.StartsWith(prefix, StringComparison.Ordinal)));
        Assert.Contains(TestClients.Poll, ids);
        Assert.All(items, i => Assert.False(i.TryGetProperty("client_secret", out _)));
    }

    [Fact]
    public async Task Clients_of_the_settings_are_read_only()
    {
        var admin = await AdminApi.ConnectAsync(shared.Provider);

        var read = await admin.GetAsync($"/admin/clients/{TestClients.Poll}");
        var update = await admin.PutAsync($"/admin/clients/{TestClients.Poll}", new { backchannel_token_delivery_mode = "poll" });
        var delete = await admin.DeleteAsync($"/admin/clients/{TestClients.Poll}");

        Assert.Equal("settings", read.Body.GetProperty("source").GetString());
        Assert.Equal(HttpStatusCode.Conflict, update.Status);
        Assert.Contains("Backchannel:Clients", update.Description, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Conflict, delete.Status);
        Assert.Equal("invalid_grant", await AuthenticationProbeAsync(TestClients.Poll, TestClients.PollSecret));
    }

    [Fact]
    public async Task Bad_input_gets_a_clear_error()
    {
        var admin = await AdminApi.ConnectAsync(shared.Provider);

        var notJson = await admin.PostAsync("/admin/clients", "{not json");
        var tooLarge = await admin.PostAsync("/admin/clients", new { client_name = new string('x', 70 * 1024) });
        var badLimit = await admin.GetAsync("/admin/clients?limit=zero");
        var badCursor = await admin.GetAsync("/admin/clients?cursor=%25%25");
        var repeated = await admin.GetAsync("/admin/clients?limit=1&limit=2");
        var otherId = await admin.PutAsync($"/admin/clients/{TestClients.Poll}", new { client_id = "another", backchannel_token_delivery_mode = "poll" });

        Assert.Equal((HttpStatusCode.BadRequest, "invalid_request"), (notJson.Status, notJson.Error));
        Assert.Equal((HttpStatusCode.RequestEntityTooLarge, "invalid_request"), (tooLarge.Status, tooLarge.Error));
        Assert.Equal((HttpStatusCode.BadRequest, "invalid_request"), (badLimit.Status, badLimit.Error));
        Assert.Equal((HttpStatusCode.BadRequest, "invalid_request"), (badCursor.Status, badCursor.Error));
        Assert.Equal((HttpStatusCode.BadRequest, "invalid_request"), (repeated.Status, repeated.Error));
        Assert.Equal((HttpStatusCode.BadRequest, "invalid_request"), (otherId.Status, otherId.Error));
    }
}
