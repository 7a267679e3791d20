using System.Net.Security;
using Backchannel.Delivery;
using Backchannel.Security;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Options;
using MimeKit;

namespace Backchannel.Channels.Email;

/// <summary>
/// Sends mails through the SMTP server of <c>Channels:Email</c> with MailKit: one connection per batch, secured as
/// <c>Security</c> says (the server's certificate checked by the system, and against
/// <c>Notifications:TrustedCertificatesFile</c> when set), authenticated when <c>Username</c> is set, each attempt bounded by
/// <c>Notifications:TimeoutSeconds</c>.
/// </summary>
public sealed class SmtpEmailSender(IOptions<ChannelOptions> options, IOptions<NotificationOptions> notifications) : IEmailSender
{
    private readonly Lazy<RemoteCertificateValidationCallback?> _validation =
        new(() => OutboundHttpHandlers.CertificateValidation(notifications.Value.TrustedCertificatesFile));

    public async Task SendAsync(IReadOnlyList<MimeMessage> messages, CancellationToken cancellationToken)
    {
        var email = options.Value.Email;
        using var client = new SmtpClient { Timeout = (int)TimeSpan.FromSeconds(notifications.Value.TimeoutSeconds).TotalMilliseconds };
        if (_validation.Value is { } validation)
        {
            client.ServerCertificateValidationCallback = validation;
        }

        await client.ConnectAsync(email.SmtpHost!, email.EffectivePort, SocketOptions(email.Security), cancellationToken);
        if (!string.IsNullOrEmpty(email.Username))
        {
            await client.AuthenticateAsync(email.Username, email.Password ?? string.Empty, cancellationToken);
        }

        foreach (var message in messages)
        {
            await client.SendAsync(message, cancellationToken);
        }

        await client.DisconnectAsync(quit: true, cancellationToken);
    }

    public static SecureSocketOptions SocketOptions(EmailSecurity security) => security switch
    {
        EmailSecurity.None => SecureSocketOptions.None,
        EmailSecurity.SslOnConnect => SecureSocketOptions.SslOnConnect,
        _ => SecureSocketOptions.StartTls,
    };
}
