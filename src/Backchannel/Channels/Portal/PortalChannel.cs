using Backchannel.Abstractions;

namespace Backchannel.Channels.Portal;

/// <summary>
/// The portal channel: nothing is sent anywhere. A request routed to it waits in the store, and the user's open portal
/// shows it at once (the change feed); a user who opens the portal later finds it there.
/// </summary>
public sealed class PortalChannel : IAuthenticationDeviceChannel
{
    /// <summary>What verified a decision made in the portal: the user's signed-in session.</summary>
    public const string Evidence = "portal_session";

    /// <summary>The <c>portal</c> channel type.</summary>
    public static ChannelType Type { get; } = new(ChannelType.Portal, (_, _) => new PortalChannel(),
        instance => instance.Name == ChannelType.Portal ? [] : ["the portal is configured under Backchannel:Channels:Portal, not as a named instance."]);

    public Task<DeliveryResult> NotifyAsync(DeviceNotification notification, CancellationToken cancellationToken) =>
        Task.FromResult(DeliveryResult.Delivered);
}
