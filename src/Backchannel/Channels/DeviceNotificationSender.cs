using Backchannel.Clients;
using Backchannel.Delivery;
using Backchannel.Protocol;
using Backchannel.Storage;

namespace Backchannel.Channels;

/// <summary>Delivers the outbox's device notifications through the user's channel; a device that refuses fails the request.</summary>
public sealed class DeviceNotificationSender(
    IEnumerable<IAuthenticationDeviceChannel> channels,
    IAuthenticationRequestStore requests,
    IClientRegistry clients,
    CallbackTokens callbackTokens,
    ClientNotifications notifications,
    OutboxDispatcher dispatcher,
    TimeProvider time) : IOutboxMessageSender
{
    private readonly Dictionary<string, IAuthenticationDeviceChannel> _channels = channels.ToDictionary(c => c.Name, StringComparer.OrdinalIgnoreCase);

    public OutboxKind Kind => OutboxKind.DeviceNotification;

    public async Task<DeliveryResult> SendAsync(OutboxWork work, CancellationToken cancellationToken)
    {
        var request = work.Request ?? await requests.FindAsync(work.Message.RequestId, cancellationToken);
        if (request is null || request.Status != AuthenticationRequestStatus.Pending || request.IsExpired(time.GetUtcNow()))
        {
            // Decided, expired or removed meanwhile: nothing left to ask.
            return DeliveryResult.Delivered;
        }

        if (!_channels.TryGetValue(request.Channel, out var channel))
        {
            return new DeliveryResult(DeliveryStatus.Rejected, $"no channel named '{request.Channel}' is configured");
        }

        var notification = new DeviceNotification(request, clients.Find(request.ClientId), callbackTokens.CallbackUrl, callbackTokens.Issue(request));
        return await channel.NotifyAsync(notification, cancellationToken);
    }

    public async Task GiveUpAsync(OutboxWork work, DeliveryResult lastResult, CancellationToken cancellationToken)
    {
        // Refused by the device service: the user cannot be asked, so the client learns it now rather than at expiry.
        // Retries that ran out leave the request to expire.
        if (lastResult.Status == DeliveryStatus.Rejected
            && await requests.FailAsync(work.Message.RequestId, time.GetUtcNow(), notifications.ForFailure, cancellationToken) is { Notification: { } notification } failure)
        {
            dispatcher.Dispatch(new OutboxWork(notification, failure.Request));
        }
    }
}
