using Backchannel.Abstractions;
using Backchannel.Channels.Portal;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using MimeKit;

namespace Backchannel.Channels.Email;

/// <summary>
/// The e-mail channel (Apereo CAS's verification mail): a mail to each of the user's addresses
/// (<c>Channels:Email:AddressAttributes</c>), copied to <c>Cc</c> and <c>Bcc</c>, with what the portal shows and a signed,
/// single-use link to the confirmation page. Sent from the outbox (a <c>DelaySeconds</c> schedules the first attempt);
/// a transient SMTP failure is retried, a user without an address or an address the server refuses fails the request.
/// </summary>
public sealed class EmailChannel(
    IUserDirectory users,
    EmailLinks links,
    IEmailSender sender,
    IOptions<ChannelOptions> options,
    TimeProvider time) : IAuthenticationDeviceChannel
{
    /// <summary>The <c>email</c> channel type.</summary>
    public static ChannelType Type { get; } = new(ChannelType.Email,
        (services, _) => ActivatorUtilities.CreateInstance<EmailChannel>(services),
        instance => instance.Name == ChannelType.Email ? [] : ["the e-mail channel is configured under Backchannel:Channels:Email, not as a named instance."]);

    public async Task<DeliveryResult> NotifyAsync(DeviceNotification notification, CancellationToken cancellationToken)
    {
        var settings = options.Value.Email;
        var request = notification.Request;
        if (await users.FindBySubjectAsync(request.Subject, cancellationToken) is not { } user)
        {
            return new DeliveryResult(DeliveryStatus.Rejected, "the user is not in the directory");
        }

        var addresses = EmailRecipients.Of(user, settings.EffectiveAddressAttributes);
        if (addresses.Count == 0)
        {
            return new DeliveryResult(DeliveryStatus.Rejected,
                $"the user has no e-mail address in {string.Join(", ", settings.EffectiveAddressAttributes)}");
        }

        var view = PortalRequestView.From(request, notification.ClientName, time.GetUtcNow());
        var messages = addresses.Select(to => EmailMessageComposer.Compose(settings, to, view, links.Issue(request))).ToList();
        try
        {
            await sender.SendAsync(messages, cancellationToken);
            return DeliveryResult.Delivered;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return SmtpFailures.Classify(ex);
        }
        finally
        {
            foreach (var message in messages)
            {
                message.Dispose();
            }
        }
    }
}
