using Backchannel.Delivery;
using Microsoft.Extensions.Logging;

namespace Backchannel.Channels.Log;

/// <summary>
/// A development channel: writes to the server log what the user is asked, and the two commands that approve or deny
/// as a device would. It never runs outside Development (options validation refuses it).
/// </summary>
public sealed partial class LogDeviceChannel(ILogger<LogDeviceChannel> logger) : IAuthenticationDeviceChannel
{
    public string Name => ChannelNames.Log;

    public Task<DeliveryResult> NotifyAsync(DeviceNotification notification, CancellationToken cancellationToken)
    {
        var request = notification.Request;
        var command = $"curl -s -X POST {notification.CallbackUrl} -H 'Authorization: Bearer {notification.CallbackToken}' -H 'Content-Type: application/json' -d";
        LogRequest(logger, request.Subject, notification.Client?.ClientName ?? request.ClientId, request.BindingMessage ?? "(none)",
            request.Scope, request.ExpiresAt, $"{command} '{{\"status\":\"approved\"}}'", $"{command} '{{\"status\":\"denied\"}}'");
        return Task.FromResult(DeliveryResult.Delivered);
    }

    [LoggerMessage(1, LogLevel.Warning,
        "\n[device of {Subject}] {Client} asks you to approve a sign-in.\n  binding message: {BindingMessage}\n  scope: {Scope}\n  expires: {ExpiresAt:O}\n" +
        "  approve: {ApproveCommand}\n  deny:    {DenyCommand}\n")]
    private static partial void LogRequest(ILogger logger, string subject, string client, string bindingMessage, string scope,
        DateTimeOffset expiresAt, string approveCommand, string denyCommand);
}
