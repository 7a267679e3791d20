using Backchannel.Abstractions;
using Backchannel.Clients;
using Backchannel.Decisions;
using Backchannel.Delivery;
using Backchannel.Domain;
using Backchannel.Events;

namespace Backchannel.Channels;

/// <summary>
/// Delivers the outbox's device notifications, each through its own channel (a request sent to several channels has one
/// notification per channel); a device that refuses fails the request, unless the request has other channels.
/// </summary>
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

        // Messages stored before requests had several channels have no channel in their destination: the request's is theirs.
        var name = work.Message.DeviceChannel is { Length: > 0 } destination ? destination : request.Channel;
        if (channels.Find(name) is not { } channel)
        {
            return new DeliveryResult(DeliveryStatus.Rejected, $"no channel named '{name}' is configured");
        }

        var client = await clients.FindAsync(request.ClientId, cancellationToken);
        var result = await channel.NotifyAsync(new DeviceNotification(request, client?.ClientName), cancellationToken);
        if (result.Status == DeliveryStatus.Delivered)
        {
            events.Publish(RequestEvent.For(RequestEventKind.Notified, request, time.GetUtcNow()) with { Channel = name });
        }

        return result;
    }

    public async Task GiveUpAsync(OutboxWork work, DeliveryResult lastResult, CancellationToken cancellationToken)
    {
        // Refused by the device: the user cannot be asked, so the client learns it now rather than at expiry. A request
        // sent to several channels waits for the others (it expires if none gets an answer). Retries that ran out leave
        // the request to expire.
        if (lastResult.Status == DeliveryStatus.Rejected
            && (work.Request ?? await requests.FindAsync(work.Message.RequestId, cancellationToken)) is { } request
            && request.Channels.Count <= 1)
        {
            await decisions.FailAsync(work.Message.RequestId, FailureCause.DeviceUnreachable, lastResult.Detail, cancellationToken);
        }
    }
}
