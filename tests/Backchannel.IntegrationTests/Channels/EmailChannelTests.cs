using System.Net;
using System.Text.RegularExpressions;
using Backchannel.Abstractions;
using Backchannel.Channels.Http;
using Backchannel.IntegrationTests.Infrastructure;
using Backchannel.Protocol;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Backchannel.IntegrationTests.Channels;

/// <summary>
/// A provider whose requests go to the e-mail channel, sending through a real SMTP server on loopback (aiosmtpd), with a
/// delay, a copy and a blind copy, and a second address for alice.
/// </summary>
public sealed class EmailProvider : SmtpProvider
{
    public const string Cc = "audit@backchannel.test";
    public const string Bcc = "archive@backchannel.test";
    public const string BackupAddress = "alice.backup@example.org";
    public const int DelaySeconds = 30;

    protected override Dictionary<string, string?> Settings() => new(base.Settings())
    {
        ["Backchannel:Channels:Email:From"] = "Sign-in <no-reply@backchannel.test>",
        ["Backchannel:Channels:Email:Subject"] = "{client_name} asks: {binding_message}",
        ["Backchannel:Channels:Email:Cc:0"] = Cc,
        ["Backchannel:Channels:Email:Bcc:0"] = Bcc,
        ["Backchannel:Channels:Email:AddressAttributes:0"] = "email",
        ["Backchannel:Channels:Email:AddressAttributes:1"] = "backup_email",
        ["Backchannel:Channels:Email:DelaySeconds"] = DelaySeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Backchannel:Users:0:claims:backup_email"] = BackupAddress,
    };
}

/// <summary>
/// The e-mail channel end to end: the mail reaches a real SMTP server after the delay (on the test clock), once per
/// address, with cc and bcc and the subject template; its link opens the confirmation page in Chromium, which approves;
/// a second use, an expired link and a forged one are refused.
/// </summary>
[Collection(BrowserTests.Name)]
public sealed partial class EmailChannelTests(EmailProvider shared, Browser browser) : IClassFixture<EmailProvider>, IClassFixture<Browser>
{
    private TestProvider Provider => shared.Provider;
    private SmtpServer Smtp => shared.Smtp;

    [Fact]
    public async Task The_mail_goes_after_the_delay_to_every_address_with_cc_and_bcc_and_its_link_approves()
    {
        var message = "Mail " + Guid.NewGuid().ToString("N")[..8];
        var authorization = await Provider.AuthorizeAsync("alice", message);
        Assert.False(authorization.IsError, authorization.Raw);

        await Provider.FakeTime.AdvanceInStepsAsync(TimeSpan.FromSeconds(EmailProvider.DelaySeconds - 1), TimeSpan.FromSeconds(1));
        await Task.Delay(300);
        Assert.Empty(Smtp.For(message));

        var mails = await DeliverAsync(message, expected: 2);

        Assert.Equal(new[] { "alice@example.com", EmailProvider.BackupAddress }.Order(), mails.Select(m => m.Message.To.Mailboxes.Single().Address).Order());
        foreach (var mail in mails)
        {
            Assert.Equal($"Poll test client asks: {message}", mail.Message.Subject);
            Assert.Equal("no-reply@backchannel.test", mail.Message.From.Mailboxes.Single().Address);
            Assert.Equal([EmailProvider.Cc], mail.Message.Cc.Mailboxes.Select(m => m.Address));
            Assert.Empty(mail.Message.Bcc);
            Assert.Contains(EmailProvider.Bcc, mail.EnvelopeRecipients);
            Assert.Contains(EmailProvider.Cc, mail.EnvelopeRecipients);
            Assert.Contains(message, mail.Text);
            Assert.Contains(message, mail.Html);
            Assert.Contains(Link(mail), mail.Html);
            Assert.DoesNotContain(authorization.AuthenticationRequestId!, mail.Text + mail.Html);
        }

        Assert.NotEqual(Link(mails[0]), Link(mails[1]));

        await using var tab = await browser.NewPageAsync();
        await tab.Page.GotoAsync(Link(mails[0]));
        await Assertions.Expect(tab.Page.Locator(".binding-message")).ToHaveTextAsync(message);
        await tab.ScreenshotAsync("email-confirmation-page");
        Assert.Equal("authorization_pending", (await Provider.RedeemAsync(authorization.AuthenticationRequestId!)).Error);

        await tab.Page.ClickAsync("button.approve");
        await Assertions.Expect(tab.Page.Locator(".notice")).ToContainTextAsync("approved");
        await tab.ScreenshotAsync("email-approved");

        var tokens = await Provider.RedeemAsync(authorization.AuthenticationRequestId!);
        Assert.False(tokens.IsError, tokens.Error);
        Assert.Empty(tab.Errors);
    }

    [Fact]
    public async Task A_link_decides_once()
    {
        var message = "Twice " + Guid.NewGuid().ToString("N")[..8];
        var authorization = await Provider.AuthorizeAsync("alice", message);
        var link = Link((await DeliverAsync(message, expected: 2))[0]);

        await using var first = await browser.NewPageAsync();
        await using var second = await browser.NewPageAsync();
        await first.Page.GotoAsync(link);
        await second.Page.GotoAsync(link);

        await first.Page.ClickAsync("button.deny");
        await Assertions.Expect(first.Page.Locator(".notice")).ToContainTextAsync("denied");
        await second.Page.ClickAsync("button.approve");
        await Assertions.Expect(second.Page.Locator(".error")).ToContainTextAsync("already used");
        await second.ScreenshotAsync("email-link-used-twice");

        using var again = await Provider.Http.GetAsync(link);
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Contains("already answered", await again.Content.ReadAsStringAsync());
        Assert.Equal("access_denied", (await Provider.RedeemAsync(authorization.AuthenticationRequestId!)).Error);
    }

    [Fact]
    public async Task An_expired_link_is_refused()
    {
        var message = "Late " + Guid.NewGuid().ToString("N")[..8];
        await Provider.AuthorizeAsync("alice", message, configure: request => request.RequestedExpiry = EmailProvider.DelaySeconds + 30);
        var link = Link((await DeliverAsync(message, expected: 2))[0]);

        await Provider.FakeTime.StepAsync(TimeSpan.FromSeconds(31));

        using var response = await Provider.Http.GetAsync(link);
        Assert.Equal(HttpStatusCode.Gone, response.StatusCode);
        Assert.Contains("expired", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_forged_link_and_a_callback_token_in_its_place_are_refused()
    {
        var message = "Forged " + Guid.NewGuid().ToString("N")[..8];
        var authorization = await Provider.AuthorizeAsync("alice", message);
        var link = Link((await DeliverAsync(message, expected: 2))[0]);

        var signature = link.LastIndexOf('.') + 1;
        var tampered = link[..signature] + (link[signature] == 'A' ? 'B' : 'A') + link[(signature + 1)..];
        using (var response = await Provider.Http.GetAsync(tampered))
        {
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            Assert.Contains("not valid", await response.Content.ReadAsStringAsync());
        }

        var request = await Provider.Services.GetRequiredService<IAuthenticationRequestStore>()
            .FindByAuthReqIdHashAsync(SecretHash.Compute(authorization.AuthenticationRequestId!), CancellationToken.None);
        var callbackToken = Provider.Services.GetRequiredService<CallbackTokens>().Issue(request!);
        using (var response = await Provider.Http.GetAsync("/device/email/" + callbackToken))
        {
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        }

        using (var post = await Provider.Http.PostAsync(tampered, new FormUrlEncodedContent(new Dictionary<string, string> { ["decision"] = "approve" })))
        {
            Assert.Equal(HttpStatusCode.BadRequest, post.StatusCode);
        }

        Assert.Equal("authorization_pending", (await Provider.RedeemAsync(authorization.AuthenticationRequestId!)).Error);
    }

    /// <summary>Moves the clock past the delay (the outbox's scan sends the mail) and waits for the mails of this request.</summary>
    private async Task<IReadOnlyList<ReceivedMail>> DeliverAsync(string marker, int expected)
    {
        await Provider.FakeTime.AdvanceInStepsAsync(TimeSpan.FromSeconds(EmailProvider.DelaySeconds + 1), TimeSpan.FromMilliseconds(500),
            () => Smtp.For(marker).Count >= expected);
        var mails = await Smtp.WaitForAsync(marker, expected);
        Assert.Equal(expected, mails.Count);
        return mails;
    }

    private string Link(ReceivedMail mail)
    {
        var match = LinkPattern().Match(mail.Text);
        Assert.True(match.Success, "no link in the mail:\n" + mail.Text);
        Assert.StartsWith(Provider.Issuer + "/device/email/", match.Value);
        return match.Value;
    }

    [GeneratedRegex(@"https?://\S+/device/email/\S+")]
    private static partial Regex LinkPattern();
}
