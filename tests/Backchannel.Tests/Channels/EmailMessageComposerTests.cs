using Backchannel.Channels;
using Backchannel.Channels.Email;
using Backchannel.Channels.Portal;
using MimeKit;

namespace Backchannel.Tests.Channels;

public class EmailMessageComposerTests
{
    private static readonly PortalRequestView View = new()
    {
        Id = "txn-1",
        ClientName = "<b>Example Bank</b>",
        BindingMessage = "Pay <i>10</i> EUR",
        Scopes = ["Confirm who you are", "Your e-mail address"],
        AcrValues = ["urn:example:loa:2"],
        AuthorizationDetails = [new AuthorizationDetail("payment", [new AuthorizationDetailField("Amount", "<script>x</script>")])],
        ExpiresAt = new DateTimeOffset(2030, 1, 2, 3, 4, 5, TimeSpan.Zero),
        SecondsLeft = 120,
    };

    private static readonly EmailChannelOptions Options = new()
    {
        SmtpHost = "smtp.example",
        From = "Sign-in <no-reply@example.com>",
        Cc = ["audit@example.com"],
        Bcc = ["archive@example.com"],
        Subject = "{client_name}: {binding_message}",
    };

    [Fact]
    public void The_mail_has_text_and_html_the_link_the_copies_and_the_subject_template_filled_in()
    {
        using var message = EmailMessageComposer.Compose(Options, MailboxAddress.Parse("alice@example.com"), View, "https://op.example/device/email/abc.def.ghi");

        Assert.Equal("<b>Example Bank</b>: Pay <i>10</i> EUR", message.Subject);
        Assert.Equal("no-reply@example.com", message.From.Mailboxes.Single().Address);
        Assert.Equal("alice@example.com", message.To.Mailboxes.Single().Address);
        Assert.Equal("audit@example.com", message.Cc.Mailboxes.Single().Address);
        Assert.Equal("archive@example.com", message.Bcc.Mailboxes.Single().Address);
        Assert.Contains("https://op.example/device/email/abc.def.ghi", message.TextBody);
        Assert.Contains("Check that the other device shows exactly: Pay <i>10</i> EUR", message.TextBody);
        Assert.Contains("Amount: <script>x</script>", message.TextBody);
        Assert.Contains("2030-01-02 03:04:05 UTC", message.TextBody);
        Assert.Contains("href=\"https://op.example/device/email/abc.def.ghi\"", message.HtmlBody);
        Assert.Contains("&lt;b&gt;Example Bank&lt;/b&gt;", message.HtmlBody);
        Assert.DoesNotContain("<script>", message.HtmlBody);
        Assert.DoesNotContain("<i>10", message.HtmlBody);
    }

    [Fact]
    public void The_subject_stays_on_one_line_and_short()
    {
        var view = View with { BindingMessage = "line one\r\nBcc: victim@example.com" + new string('x', 500) };

        var subject = EmailMessageComposer.Subject("{client_name} {binding_message}", view);

        Assert.DoesNotContain('\n', subject);
        Assert.DoesNotContain('\r', subject);
        Assert.True(subject.Length <= EmailMessageComposer.MaxSubjectLength + 1);
        Assert.Equal(EmailChannelOptions.DefaultSubject, new EmailChannelOptions().EffectiveSubject);
    }
}
