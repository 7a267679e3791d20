using System.Net;
using Backchannel.IntegrationTests.Channels;
using Backchannel.IntegrationTests.Infrastructure;

namespace Backchannel.IntegrationTests.Admin;

/// <summary>
/// The admin API's device endpoints over loopback: <c>GET /admin/users/{sub}/devices</c> lists a user's app devices
/// (registered here through the portal's session), <c>DELETE /admin/users/{sub}/devices/{device_id}</c> removes one, after
/// which its JWTs are refused; another user's device is not found under this user; only the admin scope may call them.
/// </summary>
public sealed class AdminDevicesTests(PortalAccountProvider shared) : IClassFixture<PortalAccountProvider>
{
    private TestProvider Provider => shared.Provider;

    [Fact]
    public async Task An_operator_lists_a_users_devices_and_removes_one_whose_jwts_are_then_refused()
    {
        var admin = await AdminApi.ConnectAsync(Provider);
        using var alice = await PortalUser.SignInAsync(Provider, "alice", PortalProvider.AlicePassword);
        using var bob = await PortalUser.SignInAsync(Provider, "bob", PortalProvider.BobPassword);
        var phone = await RegisterAsync(alice, "Alice's phone", "fcm-token-of-alices-phone");
        var laptop = await RegisterAsync(alice, "Alice's laptop");
        var bobs = await RegisterAsync(bob, "Bob's phone");

        var listed = await admin.GetAsync("/admin/users/alice-sub/devices");
        Assert.Equal(HttpStatusCode.OK, listed.Status);
        Assert.Null(listed.Next);
        var byId = listed.Items.ToDictionary(d => d.GetProperty("device_id").GetString()!);
        Assert.Equal("Alice's phone", byId[phone.Id].GetProperty("name").GetString());
        Assert.True(byId[phone.Id].GetProperty("push").GetBoolean());
        Assert.False(byId[laptop.Id].GetProperty("push").GetBoolean());
        Assert.Equal("alice-sub", byId[phone.Id].GetProperty("subject").GetString());
        Assert.Equal(phone.Key.PublicJwk.X, byId[phone.Id].GetProperty("jwk").GetProperty("x").GetString());
        Assert.DoesNotContain(bobs.Id, byId.Keys);
        Assert.DoesNotContain("fcm-token-of-alices-phone", listed.Body.GetRawText());

        var notHers = await admin.DeleteAsync($"/admin/users/alice-sub/devices/{bobs.Id}");
        Assert.Equal(HttpStatusCode.NotFound, notHers.Status);
        Assert.Equal("not_found", notHers.Error);
        Assert.Equal(HttpStatusCode.OK, (await bobs.PendingAsync()).Response.StatusCode);

        var removed = await admin.DeleteAsync($"/admin/users/alice-sub/devices/{phone.Id}");
        Assert.Equal(HttpStatusCode.NoContent, removed.Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await phone.PendingAsync()).Response.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await laptop.PendingAsync()).Response.StatusCode);
        Assert.DoesNotContain($"data-device-id=\"{phone.Id}\"", await alice.PageAsync());
        Assert.Equal(HttpStatusCode.NotFound, (await admin.DeleteAsync($"/admin/users/alice-sub/devices/{phone.Id}")).Status);

        var after = await admin.GetAsync("/admin/users/alice-sub/devices");
        Assert.Equal([laptop.Id], after.Items.Select(d => d.GetProperty("device_id").GetString()));
    }

    [Fact]
    public async Task An_unknown_user_is_not_found_and_the_endpoints_need_the_admin_scope()
    {
        var admin = await AdminApi.ConnectAsync(Provider);
        var unknown = await admin.GetAsync("/admin/users/nobody-sub/devices");
        Assert.Equal(HttpStatusCode.NotFound, unknown.Status);
        Assert.Equal("not_found", unknown.Error);
        var bobs = await admin.GetAsync("/admin/users/bob-sub/devices");
        Assert.Equal(HttpStatusCode.OK, bobs.Status);
        Assert.All(bobs.Items, d => Assert.Equal("bob-sub", d.GetProperty("subject").GetString()));

        Assert.Equal(HttpStatusCode.Unauthorized, (await admin.SendAsync(HttpMethod.Get, "/admin/users/alice-sub/devices", withToken: false)).Status);
        // A user's access token (a flow approved in the portal) has no admin scope.
        using var alice = await PortalUser.SignInAsync(Provider, "alice", PortalProvider.AlicePassword);
        var message = "Admin scope " + Guid.NewGuid().ToString("N")[..8];
        var authorization = await Provider.AuthorizeAsync("alice", message);
        var requestId = PortalUser.RequestIdOn(await alice.PageAsync(), message);
        using (var approved = await alice.PostFormAsync("/device/requests/" + requestId, new() { ["decision"] = "approve" }))
        {
            Assert.Equal("/device?answer=approved", approved.Headers.Location?.OriginalString);
        }

        var tokens = await Provider.RedeemAsync(authorization.AuthenticationRequestId!);
        Assert.False(tokens.IsError, tokens.Error);
        var forbidden = await admin.SendAsync(HttpMethod.Delete, "/admin/users/alice-sub/devices/x", token: tokens.AccessToken);
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.Status);
        Assert.Equal("insufficient_scope", forbidden.Error);
    }

    private async Task<TestAppDevice> RegisterAsync(PortalUser user, string name, string? pushToken = null)
    {
        var device = new TestAppDevice(Provider, name: name, pushToken: pushToken);
        var body = new Dictionary<string, object> { ["jwk"] = device.PublicJwk, ["name"] = name };
        if (pushToken is not null)
        {
            body["push_token"] = pushToken;
        }

        using var registered = await user.SendJsonAsync(HttpMethod.Post, "/ciba/devices", body);
        await registered.AssertStatusAsync(HttpStatusCode.Created);
        return device;
    }
}
