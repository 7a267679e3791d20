using System.Net;
using Backchannel.IntegrationTests.Infrastructure;
using Microsoft.Playwright;

namespace Backchannel.IntegrationTests.Channels;

/// <summary>The e-mail channel with <c>Channels:Email:RequireSignIn</c>: the portal's sign-in, as the request's user, comes before the answer.</summary>
public sealed class EmailSignInProvider : SmtpProvider
{
    public const string AlicePassword = "alice-mail-password";
    public const string BobPassword = "bob-mail-password";

    protected override Dictionary<string, string?> Settings() => new(base.Settings())
    {
        ["Backchannel:Channels:Email:RequireSignIn"] = "true",
        ["Backchannel:Users:0:password"] = AlicePassword,
        ["Backchannel:Users:1:password"] = BobPassword,
    };
}

[Collection(BrowserTests.Name)]
public sealed class EmailSignInTests(EmailSignInProvider shared, Browser browser) : IClassFixture<EmailSignInProvider>, IClassFixture<Browser>
{
    private TestProvider Provider => shared.Provider;

    [Fact]
    public async Task The_link_asks_for_a_sign_in_as_the_requests_user_before_it_shows_the_request()
    {
        var message = "Signed " + Guid.NewGuid().ToString("N")[..8];
        var authorization = await Provider.AuthorizeAsync("alice", message);
        var mail = Assert.Single(await shared.Smtp.WaitForAsync(message, 1));
        var link = System.Text.RegularExpressions.Regex.Match(mail.Text, @"https?://\S+/device/email/\S+").Value;

        // Without a session the page shows nothing of the request, and a post decides nothing.
        using (var anonymous = await Provider.Http.GetAsync(link))
        {
            var html = await anonymous.Content.ReadAsStringAsync();
            Assert.Equal(HttpStatusCode.OK, anonymous.StatusCode);
            Assert.Contains("sign in first", html);
            Assert.DoesNotContain(message, html);
        }

        await using var tab = await browser.NewPageAsync();
        await tab.Page.GotoAsync(link);
        await tab.Page.ClickAsync("a.button");
        await tab.Page.FillAsync("#username", "bob");
        await tab.Page.FillAsync("#password", EmailSignInProvider.BobPassword);
        await tab.Page.ClickAsync("form.sign-in button[type=submit]");
        await Assertions.Expect(tab.Page.Locator(".error")).ToContainTextAsync("for another user");
        await tab.ScreenshotAsync("email-wrong-user");

        await tab.Page.ClickAsync("main form button[type=submit]");
        await tab.Page.FillAsync("#username", "alice");
        await tab.Page.FillAsync("#password", EmailSignInProvider.AlicePassword);
        await tab.Page.ClickAsync("form.sign-in button[type=submit]");
        await Assertions.Expect(tab.Page.Locator(".binding-message")).ToHaveTextAsync(message);
        await tab.Page.ClickAsync("button.approve");
        await Assertions.Expect(tab.Page.Locator(".notice")).ToContainTextAsync("approved");

        var tokens = await Provider.RedeemAsync(authorization.AuthenticationRequestId!);
        Assert.False(tokens.IsError, tokens.Error);
        Assert.Empty(tab.Errors);
    }
}
