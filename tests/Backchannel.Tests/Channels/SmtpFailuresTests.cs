using Backchannel.Abstractions;
using Backchannel.Channels.Email;
using MailKit.Net.Smtp;
using MimeKit;

namespace Backchannel.Tests.Channels;

public class SmtpFailuresTests
{
    [Fact]
    public void A_recipient_refused_for_good_fails_the_request()
    {
        var refused = new SmtpCommandException(SmtpErrorCode.RecipientNotAccepted, SmtpStatusCode.MailboxUnavailable,
            MailboxAddress.Parse("nobody@example.com"), "no such user");

        Assert.Equal(DeliveryStatus.Rejected, SmtpFailures.Classify(refused).Status);
    }

    [Fact]
    public void Transient_answers_and_connection_failures_are_tried_again()
    {
        Assert.Equal(DeliveryStatus.RetryLater, SmtpFailures.Classify(new SmtpCommandException(SmtpErrorCode.RecipientNotAccepted,
            SmtpStatusCode.MailboxBusy, MailboxAddress.Parse("busy@example.com"), "try later")).Status);
        Assert.Equal(DeliveryStatus.RetryLater, SmtpFailures.Classify(new SmtpCommandException(SmtpErrorCode.SenderNotAccepted,
            SmtpStatusCode.MailboxNameNotAllowed, "sender refused")).Status);
        Assert.Equal(DeliveryStatus.RetryLater, SmtpFailures.Classify(new System.Net.Sockets.SocketException(111)).Status);
        Assert.Equal(DeliveryStatus.RetryLater, SmtpFailures.Classify(new SmtpProtocolException("the server went away")).Status);
        Assert.Equal(DeliveryStatus.RetryLater, SmtpFailures.Classify(new TimeoutException()).Status);
    }
}
