using Backchannel.Domain;

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

    /// <summary>
    /// Whether the channel can reach <paramref name="user"/> at all, asked when a request's channels are chosen: a channel
    /// that cannot (the app channel for a user without a registered device) is passed over for the next candidate.
    /// Every channel can, unless it says otherwise.
    /// </summary>
    ValueTask<bool> CanReachAsync(User user, CancellationToken cancellationToken) => ValueTask.FromResult(true);
}
