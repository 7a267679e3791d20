using MimeKit;

namespace Backchannel.Channels.Email;

/// <summary>Sends mails (the real one: <see cref="SmtpEmailSender"/>). A failure throws; the e-mail channel tells transient from final.</summary>
public interface IEmailSender
{
    /// <summary>Sends <paramref name="messages"/> in one session with the mail server.</summary>
    Task SendAsync(IReadOnlyList<MimeMessage> messages, CancellationToken cancellationToken);
}
