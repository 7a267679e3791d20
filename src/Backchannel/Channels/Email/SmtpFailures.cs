using Backchannel.Abstractions;
using Backchannel.Delivery;
using MailKit.Net.Smtp;

namespace Backchannel.Channels.Email;

/// <summary>
/// What a failed send amounts to: a recipient the server refuses for good (5xx) cannot be reached, and the request fails;
/// anything else (no connection, a timeout, a TLS or sign-in failure, a 4xx, a server that goes away) is tried again by
/// the outbox.
/// </summary>
public static class SmtpFailures
{
    public static DeliveryResult Classify(Exception exception) => exception switch
    {
        SmtpCommandException { ErrorCode: SmtpErrorCode.RecipientNotAccepted } refused when (int)refused.StatusCode >= 500 =>
            new DeliveryResult(DeliveryStatus.Rejected, $"the mail server refused the recipient {refused.Mailbox}: {(int)refused.StatusCode} {refused.Message}"),
        SmtpCommandException command => new DeliveryResult(DeliveryStatus.RetryLater, $"SMTP {(int)command.StatusCode}: {command.Message}"),
        _ => DeliveryFailures.FromException(exception),
    };
}
