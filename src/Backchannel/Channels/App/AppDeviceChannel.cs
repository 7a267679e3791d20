using Backchannel.Abstractions;
using Backchannel.Domain;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Backchannel.Channels.App;

/// <summary>
/// The app channel (<c>app</c>): the user's registered devices read their pending requests from the provider with their
/// own keys (Server-Sent Events or long polling) and post decisions signed with them (<see cref="DeviceDecisions"/>).
/// Notifying a request means waking the devices that registered a push token, through FCM when it is configured; the
/// wake-up carries no detail, only that a request waits. A user without a registered device cannot be reached by this
/// channel, and the channel selection moves on to the next candidate.
/// </summary>
public sealed partial class AppDeviceChannel(IAppDeviceStore devices, FcmSender fcm, ILogger<AppDeviceChannel> logger)
    : IAuthenticationDeviceChannel
{
    /// <summary>The <c>app</c> channel type (one instance, named like it).</summary>
    public static ChannelType Type { get; } = new(AppChannelOptions.ChannelName, (provider, _) => provider.GetRequiredService<AppDeviceChannel>());

    public async ValueTask<bool> CanReachAsync(User user, CancellationToken cancellationToken) =>
        (await devices.ListForSubjectAsync(user.Subject, cancellationToken)).Count > 0;

    public async Task<DeliveryResult> NotifyAsync(DeviceNotification notification, CancellationToken cancellationToken)
    {
        var request = notification.Request;
        var registered = await devices.ListForSubjectAsync(request.Subject, cancellationToken);
        if (registered.Count == 0)
        {
            return new DeliveryResult(DeliveryStatus.Rejected, "the user has no registered app device");
        }

        if (!fcm.Enabled)
        {
            // Devices read their requests themselves; without FCM there is nobody to wake.
            return DeliveryResult.Delivered;
        }

        // Every device with a push token is woken; a device whose token FCM refuses can still read its requests. A
        // transient failure retries the wake-ups (all of them: a second "you have a request" costs nothing).
        DeliveryResult? retry = null;
        foreach (var device in registered.Where(d => d.PushToken is not null))
        {
            var result = await fcm.WakeAsync(device.PushToken!, cancellationToken);
            switch (result.Status)
            {
                case DeliveryStatus.RetryLater:
                    retry ??= result;
                    break;
                case DeliveryStatus.Rejected:
                    LogWakeUpRefused(logger, device.Id, request.Id, result.Detail);
                    break;
            }
        }

        return retry ?? DeliveryResult.Delivered;
    }

    [LoggerMessage(1, LogLevel.Warning, "FCM refused the wake-up of device {DeviceId} for request {RequestId}: {Detail}")]
    private static partial void LogWakeUpRefused(ILogger logger, string deviceId, string requestId, string? detail);
}
