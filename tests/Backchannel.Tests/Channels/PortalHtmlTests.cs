using Backchannel.Abstractions;
using Backchannel.Channels.Portal;
using Backchannel.Domain;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.Extensions.Options;

namespace Backchannel.Tests.Channels;

/// <summary>The portal's pages: every client-supplied value is escaped, and what the user must see is there.</summary>
public class PortalHtmlTests
{
    private static readonly DateTimeOffset Now = new(2030, 1, 2, 3, 4, 5, TimeSpan.Zero);

    private static readonly PortalHtml Html = new(new PortalPaths(new ProviderUrls("https://op.example/ciba")), Options.Create(new AntiforgeryOptions()));

    private static AuthenticationRequest Request(string? bindingMessage, string? authorizationDetails = null) => new()
    {
        Id = "txn-1",
        AuthReqIdHash = new byte[32],
        ClientId = "bank",
        Subject = "alice",
        Scope = "openid email offline_access custom:read",
        AcrValues = "urn:example:loa:2",
        BindingMessage = bindingMessage,
        AuthorizationDetails = authorizationDetails,
        DeliveryMode = "poll",
        Channel = "portal",
        CreatedAt = Now,
        ExpiresAt = Now.AddSeconds(95),
        IntervalSeconds = 5,
    };

    [Fact]
    public void Client_supplied_markup_is_escaped_everywhere_it_is_shown()
    {
        var view = PortalRequestView.From(Request("<script>alert(1)</script>\" onmouseover=\"x",
            """[{"type":"<b>t</b>","name":"<img src=x onerror=alert(2)>","nested":{"k":"<i>v</i>"}}]"""), "<em>Bank</em>", Now);

        var html = Html.RequestList([view], "token\"<");

        Assert.DoesNotContain("<script>", html);
        Assert.DoesNotContain("<img", html);
        Assert.DoesNotContain("<em>", html);
        Assert.DoesNotContain("<b>t", html);
        Assert.DoesNotContain("<i>v", html);
        Assert.DoesNotContain("\" onmouseover=\"", html);
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;", html);
        Assert.Contains("&lt;img src=x onerror=alert(2)&gt;", html);
        Assert.Contains("value=\"token&quot;&lt;\"", html);
    }

    [Fact]
    public void A_request_shows_the_client_the_binding_message_the_scopes_in_words_the_acr_the_details_and_the_time_left()
    {
        var view = PortalRequestView.From(Request("Pay 10 EUR", """[{"type":"payment_initiation","instructedAmount":{"currency":"EUR","amount":"10.00"}}]"""),
            "Example Bank", Now);

        var html = Html.RequestList([view], "t");

        Assert.Contains("<span class=\"client\">Example Bank</span>", html);
        Assert.Contains("<p class=\"binding-message\">Pay 10 EUR</p>", html);
        Assert.Contains("Your e-mail address", html);
        Assert.Contains("Keep access while you are away", html);
        Assert.Contains("Access named &quot;custom:read&quot;", html);
        Assert.Contains("urn:example:loa:2", html);
        Assert.Contains("<dt>Instructed amount: Currency</dt><dd>EUR</dd>", html);
        Assert.Contains("data-seconds-left=\"95\">1:35</time>", html);
        Assert.Contains("action=\"/ciba/device/requests/txn-1\"", html);
        Assert.Contains("name=\"decision\" value=\"approve\"", html);
    }

    [Fact]
    public void Pages_load_only_the_portals_own_script_and_style_and_carry_no_inline_script()
    {
        var page = Html.SignInPage(new SignInPageModel("t", "/ciba/device", "<b>bob</b>", "Wrong <password>", "Development server."));

        Assert.Contains("<script src=\"/ciba/device/assets/portal.js\" defer></script>", page);
        Assert.Contains("<link rel=\"stylesheet\" href=\"/ciba/device/assets/portal.css\">", page);
        Assert.Equal(1, page.Split("<script").Length - 1);
        Assert.DoesNotContain("style=", page);
        Assert.DoesNotMatch(@"\son[a-z]+\s*=", page);
        Assert.Contains("value=\"&lt;b&gt;bob&lt;/b&gt;\"", page);
        Assert.Contains("Wrong &lt;password&gt;", page);
        Assert.Contains("<label for=\"username\">", page);
        Assert.Contains("<label for=\"password\">", page);
    }

    [Theory]
    [InlineData(0, "expired")]
    [InlineData(5, "0:05")]
    [InlineData(65, "1:05")]
    [InlineData(600, "10:00")]
    public void Time_left_reads_as_minutes_and_seconds(int seconds, string expected) => Assert.Equal(expected, PortalHtml.TimeLeft(seconds));

    [Fact]
    public void The_history_page_escapes_client_names_and_links_to_older_events()
    {
        var decided = PortalHistoryEntry.Of(new RequestEvent
        {
            Kind = RequestEventKind.Decided,
            RequestId = "txn-<1>",
            ClientId = "bank",
            Subject = "alice",
            At = Now,
            Channel = "app",
            Approved = false,
            Device = "dev\"<",
        }, "<script>x()</script>Bank");
        var page = new PortalHistoryPage([decided], PortalHistory.DefaultLimit, "MTIz");

        var html = Html.HistoryPage(new HistoryPageModel("<b>Alice</b>", page, Older: false));

        Assert.DoesNotContain("<script>x()", html);
        Assert.DoesNotContain("<b>Alice", html);
        Assert.Contains("&lt;script&gt;x()&lt;/script&gt;Bank", html);
        Assert.Contains("You denied", html);
        Assert.Contains("data-request-id=\"txn-&lt;1&gt;\"", html);
        Assert.Contains("(device dev&quot;&lt;)", html);
        Assert.Contains("2030-01-02 03:04:05", html);
        Assert.Contains("href=\"/ciba/device/history?cursor=MTIz\"", html);
        Assert.Contains("href=\"/ciba/device\"", html);
    }

    [Fact]
    public void The_requests_page_lists_the_users_devices_with_a_remove_form_and_links_to_the_history()
    {
        var device = new PortalDeviceView("dev-1", "<i>Alice's</i> phone", Now, Now.AddDays(1), Push: true);
        var model = new RequestsPageModel("Alice", [], "token-1", "/ciba/device/events", Devices: [device]);

        var html = Html.RequestsPage(model);

        Assert.Contains("&lt;i&gt;Alice&#x27;s&lt;/i&gt; phone", html);
        Assert.DoesNotContain("<i>Alice", html);
        Assert.Contains("action=\"/ciba/device/devices/dev-1/remove\"", html);
        Assert.Contains("registered again", html);
        Assert.Contains("gets wake-ups", html);
        Assert.Contains("href=\"/ciba/device/history\"", html);
        Assert.DoesNotContain("Your devices", Html.RequestsPage(model with { Devices = null }));
    }
}
