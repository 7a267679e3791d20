using System.Text.Json;
using Backchannel.Abstractions;
using Backchannel.Domain;
using Backchannel.Protocol;

namespace Backchannel.Delivery;

/// <summary>Ping mode (CIBA 10.2): tells the client its request is ready to redeem, with <c>{"auth_req_id"}</c>.</summary>
public sealed class PingSender(ClientNotificationPoster poster) : IOutboxMessageSender
{
    public OutboxKind Kind => OutboxKind.Ping;

    public async Task<DeliveryResult> SendAsync(OutboxWork work, CancellationToken cancellationToken)
    {
        var (target, refusal) = await poster.ResolveAsync(work, cancellationToken);
        if (target is null)
        {
            return refusal;
        }

        var body = JsonSerializer.SerializeToUtf8Bytes(new PingNotification(target.AuthReqId), ProtocolJsonContext.Default.PingNotification);
        return await poster.PostAsync(target.Endpoint, target.BearerToken, body, cancellationToken);
    }

    // A ping that never arrives costs nothing: the client may still poll.
    public Task GiveUpAsync(OutboxWork work, DeliveryResult lastResult, CancellationToken cancellationToken) => Task.CompletedTask;
}
