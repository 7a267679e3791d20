using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Backchannel.IntegrationTests.Channels;
using Backchannel.IntegrationTests.Infrastructure;

namespace Backchannel.IntegrationTests.AppChannel;

/// <summary>
/// The issue's rules with the real channels, as Auth0 has them: requests that live at most 300 s go to the app, longer
/// ones to e-mail (a real SMTP server on loopback), and the post client's to both. Alice's own channel is the app; she
/// registers her device from a portal session. The system clock: devices sign JWTs with the real time.
/// </summary>
public sealed class AppOrEmailRulesProvider : SmtpProvider
{
    protected override bool FakeClock => false;

    protected override Dictionary<string, string?> Settings() => new(base.Settings())
    {
        ["Backchannel:Channels:App:Enabled"] = "true",
        ["Backchannel:Channels:Portal:Enabled"] = "true",
        ["Backchannel:Channels:Rules:0:Channel"] = "app,email",
        ["Backchannel:Channels:Rules:0:Clients:0"] = TestClients.Post,
        ["Backchannel:Channels:Rules:1:Channel"] = "app",
        ["Backchannel:Channels:Rules:1:MaxExpirySeconds"] = "300",
        ["Backchannel:Channels:Rules:2:Channel"] = "email",
        ["Backchannel:Channels:Rules:2:MinExpirySeconds"] = "301",
        ["Backchannel:Users:0:channel"] = "app",
        ["Backchannel:Users:0:password"] = PortalProvider.AlicePassword,
    };
}

/// <summary>
/// "A user with the app channel and a long request reaches e-mail; two channels, the first decision wins": a long request
/// of alice (channel app, with a device) is mailed and approved through the mail's link, a short one reaches her device's
/// stream and no mailbox (her history shows both, the mail viewed and the device that decided), and a request sent to the app and e-mail at once is decided by the first answer, the mail's
/// link then telling it was answered.
/// </summary>
public sealed partial class AppOrEmailRulesTests(AppOrEmailRulesProvider shared) : IClassFixture<AppOrEmailRulesProvider>
{
    private TestProvider Provider => shared.Provider;
    private SmtpServer Smtp => shared.Smtp;

    private static string NewBindingMessage() => "app-or-mail " + Guid.NewGuid().ToString("N")[..8];

    [Fact]
    public async Task A_user_with_the_app_channel_and_a_long_request_reaches_email_and_a_short_one_the_app()
    {
        var device = await RegisteredDeviceAsync();
        await using var stream = await device.OpenStreamAsync();

        var longMessage = NewBindingMessage();
        var longRequest = await Provider.AuthorizeAsync("alice", longMessage, configure: r => r.RequestedExpiry = 600);
        Assert.False(longRequest.IsError, longRequest.Raw);
        var mail = Assert.Single(await Smtp.WaitForAsync(longMessage, 1));
        Assert.Equal("alice@example.com", mail.Message.To.Mailboxes.Single().Address);
        Assert.Empty(TestAppDevice.WithBindingMessage((await device.PendingAsync()).Body, longMessage));

        Assert.Equal(HttpStatusCode.OK, await AnswerByMailAsync(Link(mail), "approve"));
        Assert.False((await Provider.RedeemAsync(longRequest.AuthenticationRequestId!)).IsError);

        var shortMessage = NewBindingMessage();
        var shortRequest = await Provider.AuthorizeAsync("alice", shortMessage, configure: r => r.RequestedExpiry = 120);
        Assert.False(shortRequest.IsError, shortRequest.Raw);
        var shown = await stream.NextAboutAsync(e => e.Event == "request" && e.Data.GetProperty("binding_message").GetString() == shortMessage);
        await WaitUntilNotifiedAsync(shortRequest.AuthenticationRequestId!);
        Assert.Empty(Smtp.For(shortMessage));

        using (var approved = await device.DecideAsync(device.DecisionJwt(shown.Data.GetProperty("transaction_id").GetString()!)))
        {
            await approved.AssertStatusAsync(HttpStatusCode.NoContent);
        }

        Assert.False((await Provider.RedeemAsync(shortRequest.AuthenticationRequestId!)).IsError);

        // Alice's history tells both: the mail opened and answered through its link, the other answered by her device.
        using var alice = await PortalUser.SignInAsync(Provider, "alice", PortalProvider.AlicePassword);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/device/history");
        request.Headers.Accept.ParseAdd("application/json");
        using var response = await alice.Http.SendAsync(request);
        var items = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("items").EnumerateArray().ToList();
        var longId = await RequestIdAsync(longMessage);
        var shortId = shown.Data.GetProperty("transaction_id").GetString();
        var mailed = items.Where(e => e.GetProperty("request_id").GetString() == longId).ToDictionary(e => e.GetProperty("event").GetString()!);
        Assert.Equal("email", mailed["viewed"].GetProperty("channel").GetString());
        Assert.Equal("email", mailed["decided"].GetProperty("channel").GetString());
        Assert.Equal("email_link", mailed["decided"].GetProperty("detail").GetString());
        var byDevice = items.Single(e => e.GetProperty("request_id").GetString() == shortId && e.GetProperty("event").GetString() == "decided");
        Assert.Equal("app", byDevice.GetProperty("channel").GetString());
        Assert.Equal(device.Id, byDevice.GetProperty("device").GetString());
    }

    [Fact]
    public async Task A_request_sent_to_the_app_and_email_is_decided_by_the_app_first_and_the_mails_link_then_says_it_was_answered()
    {
        var device = await RegisteredDeviceAsync();
        var message = NewBindingMessage();
        var authorization = await Provider.AuthorizeAsync("alice", message, TestClients.Post, TestClients.PostSecret);
        Assert.False(authorization.IsError, authorization.Raw);

        var mail = Assert.Single(await Smtp.WaitForAsync(message, 1));
        var transactionId = Assert.Single(TestAppDevice.WithBindingMessage((await device.PendingAsync(waitSeconds: 5)).Body, message));
        using var anonymous = PortalUser.Anonymous(Provider);
        using var page = await anonymous.Http.GetAsync(Link(mail));
        var form = await page.Content.ReadAsStringAsync();
        Assert.Contains(WebUtility.HtmlEncode(message), form);

        using (var denied = await device.DecideAsync(device.DecisionJwt(transactionId, "denied")))
        {
            await denied.AssertStatusAsync(HttpStatusCode.NoContent);
        }

        using var late = await anonymous.Http.PostAsync(Link(mail), new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["decision"] = "approve",
            [PortalUser.AntiforgeryField] = PortalUser.TokenIn(form),
        }));
        Assert.Equal(HttpStatusCode.Conflict, late.StatusCode);
        Assert.Contains("already answered", await late.Content.ReadAsStringAsync());
        Assert.Equal("access_denied", (await Provider.RedeemAsync(authorization.AuthenticationRequestId!, TestClients.Post, TestClients.PostSecret)).Error);
    }

    /// <summary>A device of alice, registered from her portal session.</summary>
    private async Task<TestAppDevice> RegisteredDeviceAsync()
    {
        using var alice = await PortalUser.SignInAsync(Provider, "alice", PortalProvider.AlicePassword);
        var device = new TestAppDevice(Provider);
        using var registered = await alice.SendJsonAsync(HttpMethod.Post, "/ciba/devices",
            new Dictionary<string, object> { ["jwk"] = device.PublicJwk, ["name"] = device.Name });
        await registered.AssertStatusAsync(HttpStatusCode.Created);
        return device;
    }

    /// <summary>Opens the mail's link (GET shows the request) and posts the answer with the page's anti-forgery token; the answer's status.</summary>
    private async Task<HttpStatusCode> AnswerByMailAsync(string link, string decision)
    {
        using var browser = PortalUser.Anonymous(Provider);
        var form = await browser.Http.GetStringAsync(link);
        using var answer = await browser.Http.PostAsync(link, new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["decision"] = decision,
            [PortalUser.AntiforgeryField] = PortalUser.TokenIn(form),
        }));
        return answer.StatusCode;
    }

    /// <summary>Waits until the request's device notifications are all done (delivered or given up).</summary>
    private async Task WaitUntilNotifiedAsync(string authReqId)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while ((await Provider.OutboxForAsync(authReqId)).Count > 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        Assert.Empty(await Provider.OutboxForAsync(authReqId));
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

    private static string Link(ReceivedMail mail) => LinkPattern().Match(mail.Text).Value;

    [GeneratedRegex(@"https?://\S+/device/email/\S+")]
    private static partial Regex LinkPattern();
}
