using System.Text.Json;
using Backchannel.Clients;
using Backchannel.Json;
using Backchannel.Keys;
using Backchannel.Storage;

namespace Backchannel.Delivery;

/// <summary>Ping mode (CIBA 10.2): tells the client its request is ready to redeem, with <c>{"auth_req_id"}</c>.</summary>
public sealed class PingSender(
    IAuthenticationRequestStore requests,
    IClientRegistry clients,
    SecretSealer sealer,
    ClientNotificationPoster poster) : IOutboxMessageSender
{
    public OutboxKind Kind => OutboxKind.Ping;

    public async Task<DeliveryResult> SendAsync(OutboxWork work, CancellationToken cancellationToken)
    {
        var request = work.Request ?? await requests.FindAsync(work.Message.RequestId, cancellationToken);
        if (request is null)
        {
            return new DeliveryResult(DeliveryStatus.Rejected, "the request was removed");
        }

        if (clients.Find(request.ClientId)?.NotificationEndpoint is not { } endpoint || request.ClientNotificationToken is not { } bearer
            || request.SealedAuthReqId is not { } sealedId || sealer.UnsealString(sealedId, SealingContexts.AuthReqId(request.Id)) is not { } authReqId)
        {
            return new DeliveryResult(DeliveryStatus.Rejected, "the client, its endpoint or the request's sealed auth_req_id is gone");
        }

        var body = JsonSerializer.SerializeToUtf8Bytes(new PingNotification(authReqId), BackchannelJsonContext.Default.PingNotification);
        return await poster.PostAsync(endpoint, bearer, body, cancellationToken);
    }

    // A ping that never arrives costs nothing: the client may still poll.
    public Task GiveUpAsync(OutboxWork work, DeliveryResult lastResult, CancellationToken cancellationToken) => Task.CompletedTask;
}
