using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Backchannel.Channels.App;
using Backchannel.IntegrationTests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Backchannel.IntegrationTests.AppChannel;

/// <summary>
/// The app channel over real HTTP: a device registers its key (both forms), receives its user's pending request (Server-
/// Sent Events, long polling), and decides with a JWT its key signs; the client's poll then gets its tokens. Every
/// refusal of the issue: another key, a replay, another user's request, a request decided elsewhere.
/// </summary>
public class AppChannelTests(AppChannelProvider shared) : IClassFixture<AppChannelProvider>
{
    private TestProvider Provider => shared.Provider;

    private static string NewBindingMessage() => "app " + Guid.NewGuid().ToString("N")[..8];

    /// <summary>A short request of the poll client for <paramref name="user"/>: the app's, by rule.</summary>
    private async Task<(string AuthReqId, string BindingMessage)> AuthorizeAsync(string user = "alice")
    {
        var bindingMessage = NewBindingMessage();
        var authorization = await Provider.AuthorizeAsync(user, bindingMessage);
        Assert.False(authorization.IsError, authorization.Raw);
        return (authorization.AuthenticationRequestId!, bindingMessage);
    }

    /// <summary>The transaction id of the pending request with this binding message, as the device lists it.</summary>
    private static async Task<string> TransactionIdAsync(TestAppDevice device, string bindingMessage)
    {
        var (response, body) = await device.PendingAsync();
        await response.AssertStatusAsync(HttpStatusCode.OK);
        return Assert.Single(TestAppDevice.WithBindingMessage(body, bindingMessage));
    }

    [Fact]
    public async Task A_device_registered_with_json_receives_the_request_over_sse_and_its_signed_approval_gives_the_client_tokens()
    {
        var device = await shared.RegisteredDeviceAsync();
        await using var stream = await device.OpenStreamAsync();
        Assert.Equal(HttpStatusCode.OK, stream.Response.StatusCode);
        Assert.Equal("text/event-stream", stream.Response.Content.Headers.ContentType?.MediaType);

        var (authReqId, bindingMessage) = await AuthorizeAsync();
        var shown = await stream.NextAboutAsync(e => e.Event == "request" && e.Data.GetProperty("binding_message").GetString() == bindingMessage);
        var transactionId = shown.Data.GetProperty("transaction_id").GetString()!;
        Assert.Equal(TestClients.Poll, shown.Data.GetProperty("client_id").GetString());
        Assert.Equal("Poll test client", shown.Data.GetProperty("client_name").GetString());
        Assert.False(shown.Data.TryGetProperty("auth_req_id", out _));
        Assert.NotEqual(authReqId, transactionId);

        using var decided = await device.DecideAsync(device.DecisionJwt(transactionId, amr: ["hwk", "face"]));
        await decided.AssertStatusAsync(HttpStatusCode.NoContent);

        var tokens = await Provider.RedeemAsync(authReqId);
        Assert.False(tokens.IsError, tokens.Error + " " + tokens.ErrorDescription);
        var idToken = TestJwts.Read(tokens.IdentityToken!);
        Assert.Equal("alice-sub", idToken.Subject);
        Assert.Equal(["hwk", "face"], idToken.Claims.Where(c => c.Type == "amr").Select(c => c.Value));

        // The stream shows it decided.
        var closed = await stream.NextAboutAsync(e => e.Event == "closed" && e.Data.GetProperty("transaction_id").GetString() == transactionId);
        Assert.Equal("approved", closed.Data.GetProperty("status").GetString());
    }

    [Fact]
    public async Task A_device_registered_with_gluus_form_receives_the_request_by_long_polling_and_a_denial_reaches_the_client()
    {
        var device = new TestAppDevice(Provider, "Gluu phone");
        using (var registered = await device.RegisterWithGluuFormAsync(await shared.IdTokenAsync()))
        {
            await registered.AssertStatusAsync(HttpStatusCode.OK);
            var body = await registered.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal(device.Id, body.GetProperty("device_id").GetString());
            Assert.Equal("Gluu phone", body.GetProperty("name").GetString());
            Assert.Equal(device.RequestsUrl, body.GetProperty("requests_endpoint").GetString());
            Assert.Equal(device.DecisionsUrl, body.GetProperty("decisions_endpoint").GetString());
        }

        // The poll is held until the request arrives.
        var (_, before) = await device.PendingAsync();
        foreach (var request in before.GetProperty("requests").EnumerateArray())
        {
            // Other tests' requests of alice: settle them so that the long poll has nothing pending to answer at once.
            using var settled = await device.DecideAsync(device.DecisionJwt(request.GetProperty("transaction_id").GetString()!, "denied"));
        }

        var watchers = Provider.Services.GetRequiredService<DeviceRequestWatchers>();
        var held = watchers.Held;
        var polling = device.PendingAsync(waitSeconds: 20);
        while (watchers.Held == held && !polling.IsCompleted)
        {
            await Task.Delay(10); // until the provider holds the poll
        }

        Assert.False(polling.IsCompleted, "the long poll answered before a request was pending");
        var (authReqId, bindingMessage) = await AuthorizeAsync();
        var (response, list) = await polling.WaitAsync(TimeSpan.FromSeconds(15));
        await response.AssertStatusAsync(HttpStatusCode.OK);
        var transactionId = Assert.Single(TestAppDevice.WithBindingMessage(list, bindingMessage));

        using var denied = await device.DecideAsync(device.DecisionJwt(transactionId, "denied"));
        await denied.AssertStatusAsync(HttpStatusCode.NoContent);
        Assert.Equal("access_denied", (await Provider.RedeemAsync(authReqId)).Error);
        Assert.Empty(TestAppDevice.WithBindingMessage((await device.PendingAsync()).Body, bindingMessage));
    }

    [Fact]
    public async Task A_decision_signed_by_another_key_is_refused()
    {
        var device = await shared.RegisteredDeviceAsync();
        var (authReqId, bindingMessage) = await AuthorizeAsync();
        var transactionId = await TransactionIdAsync(device, bindingMessage);

        using var forged = await device.DecideAsync(device.DecisionJwt(transactionId, signer: TestKey.EllipticCurve()));

        await forged.AssertStatusAsync(HttpStatusCode.Unauthorized);
        Assert.Equal("invalid_token", (await forged.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString());
        Assert.Equal("authorization_pending", (await Provider.RedeemAsync(authReqId)).Error);
    }

    [Fact]
    public async Task A_replayed_decision_is_refused_even_for_another_request()
    {
        var device = await shared.RegisteredDeviceAsync();
        var (_, bindingMessage) = await AuthorizeAsync();
        var transactionId = await TransactionIdAsync(device, bindingMessage);
        var decision = device.DecisionJwt(transactionId, "denied");
        using (var first = await device.DecideAsync(decision))
        {
            await first.AssertStatusAsync(HttpStatusCode.NoContent);
        }

        using var replayed = await device.DecideAsync(decision);

        await replayed.AssertStatusAsync(HttpStatusCode.Unauthorized);
        Assert.Contains("used before", (await replayed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error_description").GetString());
    }

    [Fact]
    public async Task A_decision_about_another_users_request_is_refused_and_leaves_it_pending()
    {
        var bobsDevice = await shared.RegisteredDeviceAsync("bob");
        var alicesDevice = await shared.RegisteredDeviceAsync();
        var (authReqId, bindingMessage) = await AuthorizeAsync();
        var transactionId = await TransactionIdAsync(alicesDevice, bindingMessage);
        Assert.Empty(TestAppDevice.WithBindingMessage((await bobsDevice.PendingAsync()).Body, bindingMessage));

        using var refused = await bobsDevice.DecideAsync(bobsDevice.DecisionJwt(transactionId));

        await refused.AssertStatusAsync(HttpStatusCode.NotFound);
        Assert.Equal("not_found", (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString());
        Assert.Equal("authorization_pending", (await Provider.RedeemAsync(authReqId)).Error);
        Assert.Single(TestAppDevice.WithBindingMessage((await alicesDevice.PendingAsync()).Body, bindingMessage));
    }

    [Fact]
    public async Task An_access_jwt_for_another_url_or_used_twice_or_living_too_long_is_refused()
    {
        var device = await shared.RegisteredDeviceAsync();
        var access = device.AccessJwt();
        Assert.Equal(HttpStatusCode.OK, (await device.PendingAsync(accessJwt: access)).Response.StatusCode);

        Assert.Equal(HttpStatusCode.Unauthorized, (await device.PendingAsync(accessJwt: access)).Response.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await device.PendingAsync(accessJwt: device.AccessJwt(audience: device.DecisionsUrl))).Response.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await device.PendingAsync(accessJwt: device.AccessJwt(lifetime: TimeSpan.FromMinutes(30)))).Response.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized,
            (await device.PendingAsync(accessJwt: device.AccessJwt(signer: TestKey.EllipticCurve()))).Response.StatusCode);
        var (badWait, error) = await device.PendingAsync(waitSeconds: 31);
        await badWait.AssertStatusAsync(HttpStatusCode.BadRequest);
        Assert.Equal("invalid_request", error.GetProperty("error").GetString());
    }

    [Fact]
    public async Task A_user_lists_and_removes_their_devices_and_a_removed_device_is_refused()
    {
        var idToken = await shared.IdTokenAsync("bob");
        var device = new TestAppDevice(Provider, "Bob's tablet");
        Assert.Equal(HttpStatusCode.Created, (await device.RegisterAsync(idToken)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await device.RegisterAsync(idToken)).StatusCode); // the same key again

        using var list = new HttpRequestMessage(HttpMethod.Get, "/ciba/devices");
        list.Headers.Authorization = new AuthenticationHeaderValue("Bearer", idToken);
        var devices = await (await Provider.Http.SendAsync(list)).Content.ReadFromJsonAsync<JsonElement>();
        var listed = devices.GetProperty("devices").EnumerateArray().Single(d => d.GetProperty("device_id").GetString() == device.Id);
        Assert.Equal("Bob's tablet", listed.GetProperty("name").GetString());
        Assert.False(listed.TryGetProperty("push_token", out _));

        using var remove = new HttpRequestMessage(HttpMethod.Delete, $"/ciba/devices/{device.Id}");
        remove.Headers.Authorization = new AuthenticationHeaderValue("Bearer", idToken);
        Assert.Equal(HttpStatusCode.NoContent, (await Provider.Http.SendAsync(remove)).StatusCode);

        Assert.Equal(HttpStatusCode.Unauthorized, (await device.PendingAsync()).Response.StatusCode);
        using var again = new HttpRequestMessage(HttpMethod.Delete, $"/ciba/devices/{device.Id}");
        again.Headers.Authorization = new AuthenticationHeaderValue("Bearer", idToken);
        Assert.Equal(HttpStatusCode.NotFound, (await Provider.Http.SendAsync(again)).StatusCode);
    }

    [Fact]
    public async Task Another_users_id_token_cannot_remove_a_device_nor_register_its_key()
    {
        var device = await shared.RegisteredDeviceAsync();
        var bobsIdToken = await shared.IdTokenAsync("bob");

        using var remove = new HttpRequestMessage(HttpMethod.Delete, $"/ciba/devices/{device.Id}");
        remove.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bobsIdToken);
        Assert.Equal(HttpStatusCode.NotFound, (await Provider.Http.SendAsync(remove)).StatusCode);

        using var takeOver = await device.RegisterAsync(bobsIdToken);
        await takeOver.AssertStatusAsync(HttpStatusCode.BadRequest);
        Assert.Contains("another user", (await takeOver.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error_description").GetString());
        Assert.Equal(HttpStatusCode.OK, (await device.PendingAsync()).Response.StatusCode);
    }

    [Fact]
    public async Task Registrations_without_a_valid_id_token_or_key_are_refused_with_clear_errors()
    {
        var device = new TestAppDevice(Provider);
        var idToken = await shared.IdTokenAsync();

        // Gluu's form, with Gluu's errors.
        await AssertErrorAsync(await Provider.Http.PostAsync("/bc-deviceRegistration",
            new FormUrlEncodedContent(new Dictionary<string, string> { ["id_token_hint"] = idToken })), HttpStatusCode.BadRequest, "invalid_request");
        await AssertErrorAsync(await Provider.Http.PostAsync("/bc-deviceRegistration",
            new FormUrlEncodedContent(new Dictionary<string, string> { ["device_registration_token"] = device.RegistrationToken() })),
            HttpStatusCode.BadRequest, "unknown_user_id");
        await AssertErrorAsync(await device.RegisterWithGluuFormAsync("not-a-jwt"), HttpStatusCode.BadRequest, "unknown_user_id");
        await AssertErrorAsync(await device.RegisterWithGluuFormAsync(idToken, "a-bare-fcm-token"), HttpStatusCode.BadRequest, "invalid_request");
        var token = device.RegistrationToken();
        Assert.Equal(HttpStatusCode.OK, (await device.RegisterWithGluuFormAsync(idToken, token)).StatusCode);
        await AssertErrorAsync(await device.RegisterWithGluuFormAsync(idToken, token), HttpStatusCode.BadRequest, "invalid_request"); // replayed

        // The JSON form.
        var other = new TestAppDevice(Provider);
        await AssertErrorAsync(await other.RegisterAsync("not-a-jwt"), HttpStatusCode.Unauthorized, "invalid_token");
        var withPrivateKey = new Dictionary<string, object>(other.PublicJwk) { ["d"] = "AAAA" };
        await AssertErrorAsync(await other.RegisterAsync(idToken, withPrivateKey), HttpStatusCode.BadRequest, "invalid_request");
        await AssertErrorAsync(await other.RegisterAsync(idToken, new { kty = "RSA", n = "AQAB", e = "AQAB" }), HttpStatusCode.BadRequest, "invalid_request");
        var offCurve = new Dictionary<string, object>(other.PublicJwk) { ["y"] = other.PublicJwk["x"] };
        await AssertErrorAsync(await other.RegisterAsync(idToken, offCurve), HttpStatusCode.BadRequest, "invalid_request");
        await AssertErrorAsync(await Provider.Http.PostAsync("/ciba/devices", new StringContent("{", System.Text.Encoding.UTF8, "application/json")),
            HttpStatusCode.BadRequest, "invalid_request");
        await AssertErrorAsync(await Provider.Http.PostAsJsonAsync("/ciba/devices", new { jwk = other.PublicJwk, name = "x" }),
            HttpStatusCode.Unauthorized, "invalid_token");

        // An access token is not an ID token.
        var tokens = await Provider.CompleteFlowAsync("alice", configure: r => r.RequestedExpiry = 600);
        await AssertErrorAsync(await other.RegisterAsync(tokens.AccessToken!), HttpStatusCode.Unauthorized, "invalid_token");
    }

    private static async Task AssertErrorAsync(HttpResponseMessage response, HttpStatusCode status, string error)
    {
        using (response)
        {
            var body = await response.Content.ReadFromJsonAsync<JsonElement>();
            Assert.True(response.StatusCode == status, $"{response.StatusCode} {body}");
            Assert.Equal(error, body.GetProperty("error").GetString());
            Assert.False(string.IsNullOrEmpty(body.GetProperty("error_description").GetString()));
        }
    }
}
