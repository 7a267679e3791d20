using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
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
        return Page("Your sign-in requests", body.ToString(), model.Banner);
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

public sealed record RequestsPageModel(string UserName, IReadOnlyList<PortalRequestView> Requests, string AntiforgeryToken, string EventsUrl,
    string? Notice = null, string? Banner = null);

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
