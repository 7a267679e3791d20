using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using Backchannel.Domain;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.Extensions.Options;

namespace Backchannel.Channels.Portal;

/// <summary>
/// The portal's pages and the e-mail confirmation page, rendered on the server. Every value that comes from a client or
/// a user (client names, binding messages, scopes, authorization details, names) is HTML-encoded here, once; the pages
/// carry no inline script or style (the Content-Security-Policy forbids both), only the portal's own files.
/// </summary>
public sealed class PortalHtml(PortalPaths paths, IOptions<AntiforgeryOptions> antiforgery)
{
    private static readonly HtmlEncoder Encoder = HtmlEncoder.Default;
    private readonly string _antiforgeryField = Encode(antiforgery.Value.FormFieldName);

    /// <summary>Text for an element or an attribute value (quoted with double quotes).</summary>
    public static string Encode(string? text) => Encoder.Encode(text ?? string.Empty);

    public string SignInPage(SignInPageModel model)
    {
        var body = new StringBuilder();
        body.Append("<h1>Sign in to answer sign-in requests</h1>");
        if (model.Error is { } error)
        {
            body.Append("<p class=\"error\" role=\"alert\" id=\"sign-in-error\">").Append(Encode(error)).Append("</p>");
        }

        body.Append("<form method=\"post\" action=\"").Append(Encode(paths.SignIn)).Append("\" class=\"sign-in\">")
            .Append(Antiforgery(model.AntiforgeryToken))
            .Append("<input type=\"hidden\" name=\"returnUrl\" value=\"").Append(Encode(model.ReturnUrl)).Append("\">")
            .Append("<p><label for=\"username\">User name or e-mail address</label>")
            .Append("<input id=\"username\" name=\"username\" type=\"text\" autocomplete=\"username\" required maxlength=\"256\" value=\"")
            .Append(Encode(model.Username)).Append("\"").Append(model.Error is null ? "" : " aria-describedby=\"sign-in-error\"").Append("></p>")
            .Append("<p><label for=\"password\">Password</label>")
            .Append("<input id=\"password\" name=\"password\" type=\"password\" autocomplete=\"current-password\" required maxlength=\"1024\"></p>")
            .Append("<p><button type=\"submit\">Sign in</button></p></form>");
        return Page("Sign in", body.ToString(), model.Banner);
    }

    public string RequestsPage(RequestsPageModel model)
    {
        var body = new StringBuilder();
        body.Append("<header class=\"account\"><p>Signed in as <strong>").Append(Encode(model.UserName)).Append("</strong></p>")
            .Append("<form method=\"post\" action=\"").Append(Encode(paths.SignOut)).Append("\">").Append(Antiforgery(model.AntiforgeryToken))
            .Append("<button type=\"submit\" class=\"secondary\">Sign out</button></form></header>")
            .Append("<h1>Sign-in requests waiting for you</h1>");
        if (model.Notice is { } notice)
        {
            body.Append("<p class=\"notice\" role=\"status\">").Append(Encode(notice)).Append("</p>");
        }

        body.Append("<p class=\"hint\">New requests appear here by themselves. Approve only what you started yourself.</p>")
            .Append("<div id=\"requests\" aria-live=\"polite\" data-events=\"").Append(Encode(model.EventsUrl)).Append("\">")
            .Append(RequestList(model.Requests, model.AntiforgeryToken))
            .Append("</div>");
        if (model.Devices is { } devices)
        {
            body.Append(DeviceSection(devices, model.AntiforgeryToken));
        }

        body.Append("<p class=\"history-link\"><a href=\"").Append(Encode(paths.History)).Append("\">Your history: what happened to your requests</a></p>");
        return Page("Your sign-in requests", body.ToString(), model.Banner);
    }

    /// <summary>The signed-in user's history page: a table of events, newest first, with a link to older ones.</summary>
    public string HistoryPage(HistoryPageModel model)
    {
        var body = new StringBuilder();
        body.Append("<header class=\"account\"><p>Signed in as <strong>").Append(Encode(model.UserName)).Append("</strong></p>")
            .Append("<p><a href=\"").Append(Encode(paths.Portal)).Append("\">Back to your requests</a></p></header>")
            .Append("<h1>Your history</h1>")
            .Append("<p class=\"hint\">What happened to the sign-in requests made for you, newest first (times in UTC). ")
            .Append("If you see a request you did not start, tell your administrator.</p>");
        if (model.Page.Entries.Count == 0)
        {
            body.Append("<p class=\"empty\">").Append(model.Older ? "No older events." : "Nothing has happened yet.").Append("</p>");
        }
        else
        {
            body.Append("<table class=\"history\"><caption>Events of your sign-in requests</caption><thead><tr>")
                .Append("<th scope=\"col\">When</th><th scope=\"col\">Client</th><th scope=\"col\">What happened</th>")
                .Append("<th scope=\"col\">Channel</th><th scope=\"col\">Request</th></tr></thead><tbody>");
            foreach (var entry in model.Page.Entries)
            {
                var at = entry.At.UtcDateTime;
                body.Append("<tr class=\"event\" data-event=\"").Append(Encode(entry.Event)).Append("\" data-request-id=\"").Append(Encode(entry.RequestId)).Append("\">")
                    .Append("<td><time datetime=\"").Append(at.ToString("O", CultureInfo.InvariantCulture)).Append("\">")
                    .Append(at.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)).Append("</time></td>")
                    .Append("<td class=\"client\">").Append(Encode(entry.ClientName ?? entry.ClientId)).Append("</td>")
                    .Append("<td class=\"what\">").Append(Encode(Describe(entry)));
                if (entry.Device is { } device)
                {
                    body.Append(" <span class=\"device\">(device ").Append(Encode(device)).Append(")</span>");
                }

                body.Append("</td><td>").Append(Encode(entry.Channel)).Append("</td>")
                    .Append("<td><code>").Append(Encode(entry.RequestId)).Append("</code></td></tr>");
            }

            body.Append("</tbody></table>");
        }

        if (model.Page.NextCursor is { } cursor)
        {
            body.Append("<p><a class=\"older\" rel=\"next\" href=\"")
                .Append(Encode(paths.HistoryPage(cursor, model.Page.Limit == PortalHistory.DefaultLimit ? null : model.Page.Limit)))
                .Append("\">Older events</a></p>");
        }

        return Page("Your history", body.ToString(), model.Banner);
    }

    /// <summary>What happened, in words for the page.</summary>
    public static string Describe(PortalHistoryEntry entry) => entry.Event switch
    {
        RequestEventNames.Requested => "Asked for your approval",
        RequestEventNames.Notified => "Sent to you",
        RequestEventNames.Viewed => "Opened",
        RequestEventNames.Decided => entry.Approved == true ? "You approved" : "You denied",
        RequestEventNames.Failed => "Failed",
        RequestEventNames.Redeemed => "Sign-in completed (the client received its tokens)",
        RequestEventNames.Expired => "Expired without an answer",
        RequestEventNames.Cancelled => "Cancelled by an operator",
        _ => entry.Event,
    };

    private string DeviceSection(IReadOnlyList<PortalDeviceView> devices, string antiforgeryToken)
    {
        var html = new StringBuilder("<section class=\"devices\" aria-labelledby=\"devices-title\"><h2 id=\"devices-title\">Your devices</h2>");
        if (devices.Count == 0)
        {
            html.Append("<p class=\"empty\">No device of yours is registered for the app.</p>");
        }
        else
        {
            html.Append("<p class=\"hint\">These devices can answer your requests with their own key. Remove one you lost or no longer use.</p>")
                .Append("<ul class=\"device-list\">");
            foreach (var device in devices)
            {
                var created = device.CreatedAt.UtcDateTime;
                var updated = device.UpdatedAt.UtcDateTime;
                html.Append("<li class=\"device\" data-device-id=\"").Append(Encode(device.Id)).Append("\">")
                    .Append("<span class=\"device-name\">").Append(Encode(device.Name)).Append("</span> ")
                    .Append("<span class=\"device-dates\">registered <time datetime=\"").Append(created.ToString("O", CultureInfo.InvariantCulture)).Append("\">")
                    .Append(created.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)).Append(" UTC</time>");
                if (updated > created)
                {
                    html.Append(", registered again <time datetime=\"").Append(updated.ToString("O", CultureInfo.InvariantCulture)).Append("\">")
                        .Append(updated.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)).Append(" UTC</time>");
                }

                html.Append(device.Push ? "; gets wake-ups" : string.Empty).Append("</span>")
                    .Append("<form method=\"post\" action=\"").Append(Encode(paths.DeviceRemoval(device.Id))).Append("\" class=\"remove-device\">")
                    .Append(Antiforgery(antiforgeryToken))
                    .Append("<button type=\"submit\" class=\"secondary\" aria-label=\"Remove ").Append(Encode(device.Name)).Append("\">Remove</button></form></li>");
            }

            html.Append("</ul>");
        }

        return html.Append("</section>").ToString();
    }

    /// <summary>The list of requests (what the live view replaces as requests come and go).</summary>
    public string RequestList(IReadOnlyList<PortalRequestView> requests, string antiforgeryToken)
    {
        if (requests.Count == 0)
        {
            return "<p class=\"empty\">Nothing is waiting for you.</p>";
        }

        var html = new StringBuilder("<ul class=\"requests\">");
        foreach (var request in requests)
        {
            html.Append("<li>").Append(RequestCard(request, paths.Decision(request.Id), antiforgeryToken)).Append("</li>");
        }

        return html.Append("</ul>").ToString();
    }

    public string EmailPage(EmailPageModel model)
    {
        var body = new StringBuilder("<h1>A sign-in request for you</h1>");
        switch (model.State)
        {
            case EmailPageState.Pending when model.Request is { } request:
                body.Append(RequestCard(request, paths.Email(model.Token), model.AntiforgeryToken));
                break;
            case EmailPageState.SignInRequired:
                body.Append("<p role=\"status\">To answer this request, sign in first as the user it is for.</p>")
                    .Append("<p><a class=\"button\" href=\"").Append(Encode(paths.SignInReturningTo(paths.Email(model.Token)))).Append("\">Sign in</a></p>");
                break;
            case EmailPageState.WrongUser:
                body.Append("<p class=\"error\" role=\"alert\">This request is for another user. Sign out, then sign in as the user it is for.</p>")
                    .Append("<form method=\"post\" action=\"").Append(Encode(paths.SignOut)).Append("\">").Append(Antiforgery(model.AntiforgeryToken))
                    .Append("<input type=\"hidden\" name=\"returnUrl\" value=\"").Append(Encode(paths.Email(model.Token))).Append("\">")
                    .Append("<button type=\"submit\">Sign out</button></form>");
                break;
            case EmailPageState.Decided:
                body.Append("<p class=\"notice\" role=\"status\">Your answer was recorded: ").Append(model.Approved == true ? "approved" : "denied")
                    .Append(". You can close this page.</p>");
                break;
            default:
                body.Append("<p class=\"error\" role=\"alert\">").Append(Encode(EmailPageMessages.For(model.State))).Append("</p>");
                break;
        }

        return Page("Sign-in request", body.ToString(), model.Banner);
    }

    public string MessagePage(string title, string message, string? banner = null) =>
        Page(title, $"<h1>{Encode(title)}</h1><p role=\"status\">{Encode(message)}</p><p><a href=\"{Encode(paths.Portal)}\">Back to your requests</a></p>", banner);

    private string RequestCard(PortalRequestView request, string action, string antiforgeryToken)
    {
        var id = "r-" + Encode(request.Id);
        var html = new StringBuilder();
        html.Append("<article class=\"request\" aria-labelledby=\"").Append(id).Append("-title\" data-request-id=\"").Append(Encode(request.Id)).Append("\">")
            .Append("<h2 id=\"").Append(id).Append("-title\"><span class=\"client\">").Append(Encode(request.ClientName)).Append("</span> asks you to approve a sign-in</h2>");
        if (!string.IsNullOrEmpty(request.BindingMessage))
        {
            html.Append("<p class=\"binding-label\">Check that the other device shows exactly:</p>")
                .Append("<p class=\"binding-message\">").Append(Encode(request.BindingMessage)).Append("</p>");
        }
        else
        {
            html.Append("<p class=\"binding-label\">The client gave no message to compare: approve only if you just started this sign-in.</p>");
        }

        html.Append("<h3>It asks for</h3><ul class=\"scopes\">");
        foreach (var scope in request.Scopes)
        {
            html.Append("<li>").Append(Encode(scope)).Append("</li>");
        }

        html.Append("</ul>");
        if (request.AcrValues.Count > 0)
        {
            html.Append("<p class=\"acr\">Authentication level asked for: ").Append(Encode(string.Join(", ", request.AcrValues))).Append("</p>");
        }

        foreach (var detail in request.AuthorizationDetails)
        {
            html.Append("<section class=\"detail\"><h3>").Append(Encode(AuthorizationDetailsView.Label(detail.Type))).Append("</h3><dl>");
            foreach (var field in detail.Fields)
            {
                html.Append("<dt>").Append(Encode(field.Label)).Append("</dt><dd>").Append(Encode(field.Value)).Append("</dd>");
            }

            html.Append("</dl></section>");
        }

        html.Append("<p class=\"time-left\">Time left: <time datetime=\"").Append(request.ExpiresAt.UtcDateTime.ToString("O", CultureInfo.InvariantCulture))
            .Append("\" data-seconds-left=\"").Append(request.SecondsLeft.ToString(CultureInfo.InvariantCulture)).Append("\">")
            .Append(TimeLeft(request.SecondsLeft)).Append("</time></p>")
            .Append("<form method=\"post\" action=\"").Append(Encode(action)).Append("\" class=\"decision\">").Append(Antiforgery(antiforgeryToken))
            .Append("<button type=\"submit\" name=\"decision\" value=\"approve\" class=\"approve\">Approve</button> ")
            .Append("<button type=\"submit\" name=\"decision\" value=\"deny\" class=\"deny\">Deny</button></form></article>");
        return html.ToString();
    }

    /// <summary>Minutes and seconds, e.g. <c>1:05</c>.</summary>
    public static string TimeLeft(int seconds) =>
        seconds <= 0 ? "expired" : $"{seconds / 60}:{seconds % 60:00}";

    private string Antiforgery(string token) =>
        $"<input type=\"hidden\" name=\"{_antiforgeryField}\" value=\"{Encode(token)}\">";

    private string Page(string title, string body, string? banner)
    {
        var html = new StringBuilder(2048);
        html.Append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">")
            .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
            .Append("<title>").Append(Encode(title)).Append(" · Backchannel</title>")
            .Append("<link rel=\"stylesheet\" href=\"").Append(Encode(paths.Asset("portal.css"))).Append("\">")
            .Append("<script src=\"").Append(Encode(paths.Asset("portal.js"))).Append("\" defer></script></head><body>");
        if (banner is not null)
        {
            html.Append("<p class=\"banner\" role=\"note\">").Append(Encode(banner)).Append("</p>");
        }

        return html.Append("<main>").Append(body).Append("</main></body></html>").ToString();
    }
}

public sealed record SignInPageModel(string AntiforgeryToken, string ReturnUrl, string? Username = null, string? Error = null, string? Banner = null);

/// <summary>The requests page; <paramref name="Devices"/> are the user's app devices (null: the app channel is off, no section).</summary>
public sealed record RequestsPageModel(string UserName, IReadOnlyList<PortalRequestView> Requests, string AntiforgeryToken, string EventsUrl,
    string? Notice = null, string? Banner = null, IReadOnlyList<PortalDeviceView>? Devices = null);

/// <summary>The history page: a page of the user's events; <paramref name="Older"/> when it is not the first page.</summary>
public sealed record HistoryPageModel(string UserName, PortalHistoryPage Page, bool Older, string? Banner = null);

/// <summary>What the e-mail confirmation page says.</summary>
public enum EmailPageState
{
    /// <summary>The request waits: the page shows it, with Approve and Deny.</summary>
    Pending,

    /// <summary>Channels:Email:RequireSignIn: the approver must sign in first.</summary>
    SignInRequired,

    /// <summary>Signed in as another user than the request's.</summary>
    WrongUser,

    /// <summary>This link's answer was recorded just now.</summary>
    Decided,

    /// <summary>The request was already answered (through this link or otherwise).</summary>
    AlreadyDecided,

    /// <summary>The link was used before.</summary>
    Used,

    Expired,

    /// <summary>Not a link this provider made (forged, damaged, or for a request that is gone).</summary>
    Invalid,
}

/// <summary>What the e-mail page tells of a state that offers nothing to do.</summary>
public static class EmailPageMessages
{
    public static string For(EmailPageState state) => state switch
    {
        EmailPageState.AlreadyDecided => "This request was already answered.",
        EmailPageState.Used => "This link was already used. Each link works once.",
        EmailPageState.Expired => "This request has expired. Ask for a new one where you started the sign-in.",
        _ => "This link is not valid. Use the link of the most recent e-mail, unchanged.",
    };
}

public sealed record EmailPageModel(EmailPageState State, string Token, string AntiforgeryToken, PortalRequestView? Request = null,
    bool? Approved = null, string? Banner = null);
