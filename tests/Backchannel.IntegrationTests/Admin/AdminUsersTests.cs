using System.Net;
using Backchannel.IntegrationTests.Infrastructure;

namespace Backchannel.IntegrationTests.Admin;

/// <summary>The admin API's users over loopback: the built-in directory, as the protocol then sees it.</summary>
public class AdminUsersTests(SharedAdminProvider shared) : IClassFixture<SharedAdminProvider>
{
    private static string NewId(string prefix) => prefix + "-" + Guid.NewGuid().ToString("N")[..8];

    [Fact]
    public async Task A_user_is_created_read_updated_and_hinted()
    {
        var (provider, admin) = (shared.Provider, await AdminApi.ConnectAsync(shared.Provider));
        var sub = NewId("sub");
        var username = NewId("una");

        var created = await admin.PostAsync("/admin/users",
            new { sub, username, email = $"{username}@example.com", name = "Una", password = "correct horse", user_code = "4711", claims = new { locale = "de-DE" } });

        Assert.Equal(HttpStatusCode.Created, created.Status);
        Assert.Equal($"{provider.Issuer}/admin/users/{sub}", created.Response.Headers.Location?.ToString());
        Assert.True(created.Body.GetProperty("has_password").GetBoolean());
        Assert.True(created.Body.GetProperty("has_user_code").GetBoolean());
        Assert.False(created.Body.TryGetProperty("password", out _));
        Assert.False(created.Body.TryGetProperty("user_code", out _));
        Assert.Equal("admin", created.Body.GetProperty("source").GetString());

        // The protocol finds the user at once, by any identifier, and checks its user_code.
        var authorized = await provider.AuthorizeAsync(loginHint: username, clientId: TestClients.UserCode, clientSecret: TestClients.UserCodeSecret,
            configure: r => r.UserCode = "4711");
        Assert.False(authorized.IsError, authorized.Raw);
        var wrongCode = await provider.AuthorizeAsync(loginHint: sub, clientId: TestClients.UserCode, clientSecret: TestClients.UserCodeSecret,
            configure: r => r.UserCode = "0000");
        Assert.Equal("invalid_user_code", wrongCode.Error);

        var read = await admin.GetAsync($"/admin/users/{sub}");
        Assert.Equal(created.ETag, read.ETag);
        Assert.Equal("de-DE", read.Body.GetProperty("claims").GetProperty("locale").GetString());

        var stale = await admin.PutAsync($"/admin/users/{sub}", new { username, name = "Una Two" }, "\"stale\"");
        Assert.Equal(HttpStatusCode.PreconditionFailed, stale.Status);

        var updated = await admin.PutAsync($"/admin/users/{sub}", new { username, name = "Una Two", user_code = "" }, read.ETag);
        Assert.Equal(HttpStatusCode.OK, updated.Status);
        Assert.Equal("Una Two", updated.Body.GetProperty("name").GetString());
        Assert.True(updated.Body.GetProperty("has_password").GetBoolean(), "an absent password is kept");
        Assert.False(updated.Body.GetProperty("has_user_code").GetBoolean(), "an empty user_code removes it");
        Assert.Equal(JsonValueKindNull, updated.Body.GetProperty("email").ValueKind);
        Assert.NotEqual(read.ETag, updated.ETag);
        Assert.Equal(HttpStatusCode.PreconditionFailed, (await admin.PutAsync($"/admin/users/{sub}", new { username }, read.ETag)).Status);

        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync($"/admin/users/{NewId("nobody")}")).Status);
    }

    private const System.Text.Json.JsonValueKind JsonValueKindNull = System.Text.Json.JsonValueKind.Null;

    [Fact]
    public async Task Identifiers_name_one_user_and_invalid_users_are_refused()
    {
        var admin = await AdminApi.ConnectAsync(shared.Provider);
        var sub = NewId("sub");

        Assert.Equal(HttpStatusCode.Created, (await admin.PostAsync("/admin/users", new { sub })).Status);
        var sameSub = await admin.PostAsync("/admin/users", new { sub });
        var takenUsername = await admin.PostAsync("/admin/users", new { sub = NewId("sub"), username = "alice" });
        var subAsEmail = await admin.PostAsync("/admin/users", new { sub = NewId("sub"), email = "ALICE@example.com" });
        var invalid = await admin.PostAsync("/admin/users", new { username = "no sub", channel = "carrier-pigeon" });

        Assert.Equal((HttpStatusCode.Conflict, "conflict"), (sameSub.Status, sameSub.Error));
        Assert.Equal((HttpStatusCode.Conflict, "conflict"), (takenUsername.Status, takenUsername.Error));
        Assert.Equal(HttpStatusCode.Conflict, subAsEmail.Status);
        Assert.Equal((HttpStatusCode.BadRequest, "invalid_request"), (invalid.Status, invalid.Error));
        Assert.Contains("sub is required", invalid.Description, StringComparison.Ordinal);
        Assert.Contains("channel 'carrier-pigeon'", invalid.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_disabled_user_is_unknown_to_the_protocol_and_its_pending_requests_are_cancelled()
    {
        var (provider, admin) = (shared.Provider, await AdminApi.ConnectAsync(shared.Provider));
        var sub = NewId("sub");
        var created = await admin.PostAsync("/admin/users", new { sub });
        var pending = await provider.AuthorizeAsync(loginHint: sub);
        Assert.False(pending.IsError, pending.Raw);

        Assert.Equal(HttpStatusCode.PreconditionFailed, (await admin.PostAsync($"/admin/users/{sub}/disable", ifMatch: "\"stale\"")).Status);
        var disabled = await admin.PostAsync($"/admin/users/{sub}/disable", ifMatch: created.ETag);

        Assert.Equal(HttpStatusCode.OK, disabled.Status);
        Assert.Equal(1, disabled.Body.GetProperty("cancelled_requests").GetInt32());
        Assert.True(disabled.Body.GetProperty("user").GetProperty("disabled").GetBoolean());
        Assert.Equal("access_denied", (await provider.RedeemAsync(pending.AuthenticationRequestId!)).Error);
        Assert.Equal("unknown_user_id", (await provider.AuthorizeAsync(loginHint: sub)).Error);
        Assert.True((await admin.GetAsync($"/admin/users/{sub}")).Body.GetProperty("disabled").GetBoolean());

        var again = await admin.PostAsync($"/admin/users/{sub}/disable");
        Assert.Equal(0, again.Body.GetProperty("cancelled_requests").GetInt32());

        var enabled = await admin.PostAsync($"/admin/users/{sub}/enable");
        Assert.Equal(HttpStatusCode.OK, enabled.Status);
        Assert.False(enabled.Body.GetProperty("disabled").GetBoolean());
        Assert.False((await provider.AuthorizeAsync(loginHint: sub)).IsError);
    }

    [Fact]
    public async Task Users_of_the_settings_are_not_changed_here_and_users_are_listed_by_sub()
    {
        var admin = await AdminApi.ConnectAsync(shared.Provider);

        var update = await admin.PutAsync("/admin/users/bob-sub", new { username = "bobby" });
        Assert.Equal(HttpStatusCode.Conflict, update.Status);
        Assert.Contains("Backchannel:Users", update.Description, StringComparison.Ordinal);

        var (items, sizes) = await admin.AllPagesAsync("/admin/users?limit=1");
        var subs = items.Select(i => i.GetProperty("sub").GetString()!).ToList();
        Assert.All(sizes.SkipLast(1), size => Assert.Equal(1, size));
        Assert.Equal(subs.Order(StringComparer.Ordinal), subs);
        Assert.Contains("alice-sub", subs);
        Assert.Equal("config", items.Single(i => i.GetProperty("sub").GetString() == "bob-sub").GetProperty("source").GetString());
    }
}
