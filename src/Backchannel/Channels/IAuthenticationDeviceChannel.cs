using Backchannel.Delivery;

namespace Backchannel.Channels;

/// <summary>
/// A way to reach the user's authentication device. The provider calls it off the request path, from the outbox,
/// with retries; the device answers at <c>POST /ciba/callback</c> with the callback token.
/// </summary>
public interface IAuthenticationDeviceChannel
{
    /// <summary>The channel's name, as users and <c>Channels:Default</c> refer to it.</summary>
    string Name { get; }

    /// <summary>One attempt to notify the device.</summary>
    Task<DeliveryResult> NotifyAsync(DeviceNotification notification, CancellationToken cancellationToken);
}
