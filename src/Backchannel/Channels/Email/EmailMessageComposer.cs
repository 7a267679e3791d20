using System.Globalization;
using System.Text;
using Backchannel.Channels.Portal;
using MimeKit;

namespace Backchannel.Channels.Email;

/// <summary>
/// The verification mail, text and HTML: what the portal shows of the request (the client, the binding message, the
/// scopes, the authentication level, the authorization details, the expiry) and the link to the confirmation page. Every
/// value from the client is escaped in the HTML part; the subject has no line breaks.
/// </summary>
public static class EmailMessageComposer
{
    public const int MaxSubjectLength = 200;

    public static MimeMessage Compose(EmailChannelOptions options, MailboxAddress to, PortalRequestView request, string link)
    {
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse(options.From!));
        message.To.Add(to);
        message.Cc.AddRange(options.Cc.Select(MailboxAddress.Parse));
        message.Bcc.AddRange(options.Bcc.Select(MailboxAddress.Parse));
        message.Subject = Subject(options.EffectiveSubject, request);
        message.Body = new BodyBuilder { TextBody = Text(request, link), HtmlBody = Html(request, link) }.ToMessageBody();
        return message;
    }

    /// <summary>The subject template with <c>{client_name}</c> and <c>{binding_message}</c> filled in, on one line.</summary>
    public static string Subject(string template, PortalRequestView request)
    {
        var subject = template.Replace("{client_name}", request.ClientName, StringComparison.Ordinal)
            .Replace("{binding_message}", request.BindingMessage ?? string.Empty, StringComparison.Ordinal);
        var line = new string(subject.Select(c => char.IsControl(c) ? ' ' : c).ToArray()).Trim();
        return line.Length <= MaxSubjectLength ? line : line[..MaxSubjectLength] + "…";
    }

    public static string Text(PortalRequestView request, string link)
    {
        var text = new StringBuilder();
        text.Append(request.ClientName).Append(" asks you to approve a sign-in.\n\n");
        text.Append(request.BindingMessage is { Length: > 0 } binding
            ? $"Check that the other device shows exactly: {binding}\n\n"
            : "The client gave no message to compare: approve only if you just started this sign-in.\n\n");
        text.Append("It asks for:\n");
        foreach (var scope in request.Scopes)
        {
            text.Append("  - ").Append(scope).Append('\n');
        }

        if (request.AcrValues.Count > 0)
        {
            text.Append("Authentication level asked for: ").Append(string.Join(", ", request.AcrValues)).Append('\n');
        }

        foreach (var detail in request.AuthorizationDetails)
        {
            text.Append('\n').Append(AuthorizationDetailsView.Label(detail.Type)).Append(":\n");
            foreach (var field in detail.Fields)
            {
                text.Append("  ").Append(field.Label).Append(": ").Append(field.Value).Append('\n');
            }
        }

        text.Append("\nThe request expires at ").Append(Expiry(request)).Append(".\n\n")
            .Append("To approve or deny it, open this link (it works once):\n").Append(link).Append("\n\n")
            .Append("If you did not start this sign-in, deny it or ignore this mail.\n");
        return text.ToString();
    }

    public static string Html(PortalRequestView request, string link)
    {
        static string E(string? value) => PortalHtml.Encode(value);
        var html = new StringBuilder("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"></head><body>");
        html.Append("<p><strong>").Append(E(request.ClientName)).Append("</strong> asks you to approve a sign-in.</p>");
        html.Append(request.BindingMessage is { Length: > 0 } binding
            ? $"<p>Check that the other device shows exactly:</p><p style=\"font-size:1.4em\"><strong>{E(binding)}</strong></p>"
            : "<p>The client gave no message to compare: approve only if you just started this sign-in.</p>");
        html.Append("<p>It asks for:</p><ul>");
        foreach (var scope in request.Scopes)
        {
            html.Append("<li>").Append(E(scope)).Append("</li>");
        }

        html.Append("</ul>");
        if (request.AcrValues.Count > 0)
        {
            html.Append("<p>Authentication level asked for: ").Append(E(string.Join(", ", request.AcrValues))).Append("</p>");
        }

        foreach (var detail in request.AuthorizationDetails)
        {
            html.Append("<p><strong>").Append(E(AuthorizationDetailsView.Label(detail.Type))).Append("</strong></p><dl>");
            foreach (var field in detail.Fields)
            {
                html.Append("<dt>").Append(E(field.Label)).Append("</dt><dd>").Append(E(field.Value)).Append("</dd>");
            }

            html.Append("</dl>");
        }

        html.Append("<p>The request expires at ").Append(E(Expiry(request))).Append(".</p>")
            .Append("<p><a href=\"").Append(E(link)).Append("\">Approve or deny the request</a> (the link works once).</p>")
            .Append("<p>If you did not start this sign-in, deny it or ignore this mail.</p></body></html>");
        return html.ToString();
    }

    private static string Expiry(PortalRequestView request) =>
        request.ExpiresAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) + " UTC";
}
