using Backchannel.Abstractions;
using Backchannel.Clients;
using Backchannel.Decisions;
using Backchannel.Delivery;
using Backchannel.Domain;
using Backchannel.Events;

namespace Backchannel.Channels;

/// <summary>Delivers the outbox's device notifications through the request's channel; a device that refuses fails the request.</summary>
public sealed class DeviceNotificationSender(
    ChannelRegistry channels,
    IAuthenticationRequestStore requests,
    ClientCatalog clients,
    DecisionService decisions,
    RequestEvents events,
    TimeProvider time) : IOutboxMessageSender
{
    public OutboxKind Kind => OutboxKind.DeviceNotification;

    public async Task<DeliveryResult> SendAsync(OutboxWork work, CancellationToken cancellationToken)
    {
        var request = work.Request ?? await requests.FindAsync(work.Message.RequestId, cancellationToken);
        if (request is null || request.Status != AuthenticationRequestStatus.Pending || request.IsExpired(time.GetUtcNow()))
        {
            // Decided, expired or removed meanwhile: nothing left to ask.
            return DeliveryResult.Delivered;
        }

        if (channels.Find(request.Channel) is not { } channel)
        {
            return new DeliveryResult(DeliveryStatus.Rejected, $"no channel named '{request.Channel}' is configured");
        }

        var client = await clients.FindAsync(request.ClientId, cancellationToken);
        var result = await channel.NotifyAsync(new DeviceNotification(request, client?.ClientName), cancellationToken);
        if (result.Status == DeliveryStatus.Delivered)
        {
            events.Publish(RequestEventKind.Notified, request);
        }

        return result;
    }

    public async Task GiveUpAsync(OutboxWork work, DeliveryResult lastResult, CancellationToken cancellationToken)
    {
        // Refused by the device: the user cannot be asked, so the client learns it now rather than at expiry.
        // Retries that ran out leave the request to expire.
        if (lastResult.Status == DeliveryStatus.Rejected)
        {
            await decisions.FailAsync(work.Message.RequestId, FailureCause.DeviceUnreachable, lastResult.Detail, cancellationToken);
        }
    }
}
