using Backchannel.Abstractions;
using Backchannel.Channels.Http;
using Backchannel.Delivery;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Backchannel.Channels.Log;

/// <summary>
/// A development channel: writes to the server log what the user is asked, and the two commands that approve or deny
/// as a device would (with the callback token, like the http channel). It never runs outside Development.
/// </summary>
public sealed partial class LogDeviceChannel(CallbackTokens callbackTokens, ILogger<LogDeviceChannel> logger) : IAuthenticationDeviceChannel
{
    /// <summary>The <c>log</c> channel type.</summary>
    public static ChannelType Type { get; } = new(ChannelType.Log,
        (services, _) => ActivatorUtilities.CreateInstance<LogDeviceChannel>(services));

    public Task<DeliveryResult> NotifyAsync(DeviceNotification notification, CancellationToken cancellationToken)
    {
        var request = notification.Request;
        var command = $"curl -s -w '%{{http_code}}\\n' -X POST {callbackTokens.CallbackUrl} -H 'Authorization: Bearer {callbackTokens.Issue(request)}' " +
                      "-H 'Content-Type: application/json' -d";
        LogRequest(logger, request.Subject, notification.ClientName ?? request.ClientId, request.BindingMessage ?? "(none)",
            request.Scope, request.ExpiresAt, $"{command} '{{\"status\":\"approved\"}}'", $"{command} '{{\"status\":\"denied\"}}'");
        return Task.FromResult(DeliveryResult.Delivered);
    }

    [LoggerMessage(1, LogLevel.Warning,
        "\n[device of {Subject}] {Client} asks you to approve a sign-in.\n  binding message: {BindingMessage}\n  scope: {Scope}\n  expires: {ExpiresAt:O}\n" +
        "  approve: {ApproveCommand}\n  deny:    {DenyCommand}\n  (each prints the HTTP status: 204 recorded, 409 already decided, 400 expired)\n")]
    private static partial void LogRequest(ILogger logger, string subject, string client, string bindingMessage, string scope,
        DateTimeOffset expiresAt, string approveCommand, string denyCommand);
}
