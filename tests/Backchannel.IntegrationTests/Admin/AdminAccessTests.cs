using System.Net;
using Backchannel.Abstractions;
using Backchannel.IntegrationTests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;

namespace Backchannel.IntegrationTests.Admin;

/// <summary>Who may use the admin API (a token with the scope backchannel:admin, from a client that still has it), and its signing keys.</summary>
public class AdminAccessTests(SharedAdminProvider shared) : IClassFixture<SharedAdminProvider>
{
    [Fact]
    public async Task Without_a_token_the_answer_is_401_with_a_bearer_challenge()
    {
        var admin = await AdminApi.ConnectAsync(shared.Provider);

        var response = await admin.SendAsync(HttpMethod.Get, "/admin/clients", withToken: false);

        Assert.Equal(HttpStatusCode.Unauthorized, response.Status);
        Assert.Equal("invalid_token", response.Error);
        Assert.Equal("Bearer realm=\"backchannel\"", response.Response.Headers.WwwAuthenticate.ToString());
    }

    [Fact]
    public async Task A_forged_or_revoked_token_is_401_invalid_token()
    {
        var admin = await AdminApi.ConnectAsync(shared.Provider);
        var forged = admin.AccessToken[..^4] + (admin.AccessToken.EndsWith("AAAA", StringComparison.Ordinal) ? "BBBB" : "AAAA");

        var refusedForged = await admin.SendAsync(HttpMethod.Get, "/admin/users", token: forged);
        var revoked = new JsonWebToken(admin.AccessToken);
        await shared.Provider.Services.GetRequiredService<IRevokedAccessTokenStore>().RevokeAsync(revoked.Id, revoked.ValidTo, CancellationToken.None);
        var refusedRevoked = await admin.GetAsync("/admin/users");

        foreach (var refused in new[] { refusedForged, refusedRevoked })
        {
            Assert.Equal(HttpStatusCode.Unauthorized, refused.Status);
            Assert.Equal("invalid_token", refused.Error);
            Assert.Equal("Bearer error=\"invalid_token\"", refused.Response.Headers.WwwAuthenticate.ToString());
        }
    }

    [Fact]
    public async Task A_user_s_access_token_is_403_insufficient_scope()
    {
        var tokens = await shared.Provider.CompleteFlowAsync();
        var admin = new AdminApi(shared.Provider, tokens.AccessToken!);

        foreach (var (method, path) in new[] { (HttpMethod.Get, "/admin/clients"), (HttpMethod.Post, "/admin/keys/rotate"), (HttpMethod.Get, "/admin/requests") })
        {
            var refused = await admin.SendAsync(method, path);

            Assert.Equal(HttpStatusCode.Forbidden, refused.Status);
            Assert.Equal("insufficient_scope", refused.Error);
            Assert.Equal("Bearer error=\"insufficient_scope\", scope=\"backchannel:admin\"", refused.Response.Headers.WwwAuthenticate.ToString());
        }
    }

    [Fact]
    public async Task A_client_that_loses_the_admin_scope_can_no_longer_use_its_tokens()
    {
        var admin = await AdminApi.ConnectAsync(shared.Provider);
        var id = "ops-" + Guid.NewGuid().ToString("N")[..8];
        var created = await admin.PostAsync("/admin/clients", new { client_id = id, grant_types = new[] { "client_credentials" }, scope = "backchannel:admin" });
        Assert.Equal(HttpStatusCode.Created, created.Status);
        var operator2 = new AdminApi(shared.Provider, await AdminApi.TokenAsync(shared.Provider, id, created.Body.GetProperty("client_secret").GetString()!));
        Assert.Equal(HttpStatusCode.OK, (await operator2.GetAsync("/admin/keys")).Status);

        Assert.Equal(HttpStatusCode.OK, (await admin.PutAsync($"/admin/clients/{id}", new { grant_types = new[] { "client_credentials" } })).Status);

        var refused = await operator2.GetAsync("/admin/keys");
        Assert.Equal(HttpStatusCode.Unauthorized, refused.Status);
        Assert.Equal("invalid_token", refused.Error);
    }

    [Fact]
    public async Task Dynamic_registration_cannot_give_a_client_the_admin_scope()
    {
        var admin = await AdminApi.ConnectAsync(shared.Provider);

        var refused = await admin.SendAsync(HttpMethod.Post, "/register",
            new { grant_types = new[] { "client_credentials" }, scope = "backchannel:admin" }, withToken: false);

        Assert.Equal(HttpStatusCode.BadRequest, refused.Status);
        Assert.Equal("invalid_client_metadata", refused.Error);
        Assert.Contains("backchannel:admin", refused.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Signing_keys_are_listed_without_private_material_and_rotated_now()
    {
        var (provider, admin) = (shared.Provider, await AdminApi.ConnectAsync(shared.Provider));

        var before = (await admin.AllPagesAsync("/admin/keys?limit=2")).Items;
        var activeBefore = Assert.Single(before, k => Is(k, "tokens", "active"));
        var nextBefore = Assert.Single(before, k => Is(k, "tokens", "next"));
        Assert.Single(before, k => Is(k, "device_callbacks", "active"));
        Assert.All(before, k =>
        {
            Assert.Equal("sig", k.GetProperty("use").GetString());
            Assert.Equal("generated", k.GetProperty("source").GetString());
            Assert.False(k.TryGetProperty("d", out _));
            Assert.False(k.TryGetProperty("private_key", out _));
        });
        Assert.Equal(nextBefore.GetProperty("activates_at").GetDateTimeOffset(), activeBefore.GetProperty("retires_at").GetDateTimeOffset());

        var rotation = await admin.PostAsync("/admin/keys/rotate");

        Assert.Equal(HttpStatusCode.OK, rotation.Status);
        var tokens = Assert.Single(rotation.Body.GetProperty("rotated").EnumerateArray(), r => r.GetProperty("purpose").GetString() == "tokens");
        Assert.Equal(Kid(nextBefore), tokens.GetProperty("activated").GetString());
        Assert.Equal(new[] { Kid(activeBefore) }, tokens.GetProperty("retired").EnumerateArray().Select(k => k.GetString()!));

        var after = (await admin.GetAsync("/admin/keys")).Items;
        Assert.Equal(Kid(nextBefore), Kid(Assert.Single(after, k => Is(k, "tokens", "active"))));
        var retired = Assert.Single(after, k => Kid(k) == Kid(activeBefore));
        Assert.Equal("retired", retired.GetProperty("state").GetString());
        Assert.True(retired.GetProperty("published_until").GetDateTimeOffset() > provider.Time.GetUtcNow());
        Assert.Single(after, k => Is(k, "tokens", "next"));

        // New tokens are signed with the new key; /jwks still publishes the retired one.
        var fresh = new JsonWebToken(await AdminApi.TokenAsync(provider));
        Assert.Equal(Kid(nextBefore), fresh.Kid);
        var jwks = await provider.Http.GetStringAsync("/jwks");
        Assert.Contains(Kid(activeBefore), jwks, StringComparison.Ordinal);
        Assert.Contains(Kid(nextBefore), jwks, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/admin/keys")).Status);
    }

    private static string Kid(System.Text.Json.JsonElement key) => key.GetProperty("kid").GetString()!;

    private static bool Is(System.Text.Json.JsonElement key, string purpose, string state) =>
        key.GetProperty("purpose").GetString() == purpose && key.GetProperty("state").GetString() == state;
}
