namespace Backchannel.Abstractions;

/// <summary>
/// A way to reach the user's authentication device. The provider calls it off the request path, from the outbox, with
/// retries. How the user's decision comes back is the channel's own return path, which verifies it (the http channel:
/// the callback token it sends, presented at <c>POST /ciba/callback</c>) and records it through the decision service.
/// </summary>
public interface IAuthenticationDeviceChannel
{
    /// <summary>One attempt to notify the device.</summary>
    Task<DeliveryResult> NotifyAsync(DeviceNotification notification, CancellationToken cancellationToken);
}
