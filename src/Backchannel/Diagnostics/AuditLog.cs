using Backchannel.Domain;
using Microsoft.Extensions.Logging;

namespace Backchannel.Diagnostics;

/// <summary>
/// Structured audit events, in the log category <c>Backchannel.Audit</c>: each request's life (Information) and security
/// events (Warning). They name requests by transaction id, clients and subjects; never a secret, a token, an
/// auth_req_id or the binding_message text.
/// </summary>
public sealed partial class AuditLog(ILoggerFactory loggers)
{
    public const string Category = "Backchannel.Audit";

    private readonly ILogger _logger = loggers.CreateLogger(Category);

    public void Request(RequestEvent e)
    {
        switch (e.Kind)
        {
            case RequestEventKind.Created:
                Accepted(_logger, e.RequestId, e.ClientId, e.Subject, e.Channel, e.Detail);
                break;
            case RequestEventKind.Notified:
                Notified(_logger, e.RequestId, e.ClientId, e.Subject, e.Channel);
                break;
            case RequestEventKind.Viewed:
                Viewed(_logger, e.RequestId, e.ClientId, e.Subject, e.Channel);
                break;
            case RequestEventKind.Decided:
                Decided(_logger, e.RequestId, e.ClientId, e.Subject, e.Approved == true ? "approved" : "denied", e.Channel, e.Detail);
                break;
            case RequestEventKind.Failed:
                Failed(_logger, e.RequestId, e.ClientId, e.Subject, e.Detail);
                break;
            case RequestEventKind.Redeemed:
                Redeemed(_logger, e.RequestId, e.ClientId, e.Subject, e.Detail);
                break;
            case RequestEventKind.Expired:
                Expired(_logger, e.RequestId, e.ClientId, e.Subject);
                break;
            case RequestEventKind.Cancelled:
                Cancelled(_logger, e.RequestId, e.ClientId, e.Subject, e.Detail);
                break;
        }
    }

    /// <summary>A client failed to authenticate (the reason the client was told is in the log only).</summary>
    public void ClientAuthenticationFailed(string? clientId, string? method, string reason) =>
        ClientAuthenticationFailedMessage(_logger, clientId ?? "(none)", method ?? "(none)", reason);

    public void RefreshTokenReuse(string clientId, string subject, string familyId) => RefreshTokenReuseMessage(_logger, clientId, subject, familyId);

    /// <summary>A JWT id seen before (a client assertion or a request object) was refused.</summary>
    public void ReplayRefused(string what, string clientId) => ReplayRefusedMessage(_logger, what, clientId);

    // Dynamic client registration (RFC 7591, 7592).

    public void ClientRegistered(string clientId, string deliveryMode) => ClientRegisteredMessage(_logger, clientId, deliveryMode);

    public void ClientUpdated(string clientId, bool tokenRotated) => ClientUpdatedMessage(_logger, clientId, tokenRotated);

    public void ClientDeleted(string clientId) => ClientDeletedMessage(_logger, clientId);

    /// <summary>A registration request without a valid initial or registration access token was refused.</summary>
    public void RegistrationRefused(string what, string? clientId) => RegistrationRefusedMessage(_logger, what, clientId ?? "(new)");

    /// <summary>A client revoked one of its tokens (RFC 7009): an access token, or a refresh token and its family.</summary>
    public void TokenRevoked(string clientId, string tokenType) => TokenRevokedMessage(_logger, clientId, tokenType);

    /// <summary>Who removes a device when it is the user (from the portal or the device endpoints).</summary>
    public const string ByUser = "user";

    /// <summary>An app device was removed, by its user (<see cref="ByUser"/>) or an operator (<c>operator {client_id}</c>).</summary>
    public void DeviceRemoved(string deviceId, string subject, string by) => DeviceRemovedMessage(_logger, deviceId, subject, by);

    [LoggerMessage(101, LogLevel.Information, "request.accepted {RequestId} client={ClientId} subject={Subject} channel={Channel} hint={Hint}")]
    private static partial void Accepted(ILogger logger, string requestId, string clientId, string subject, string? channel, string? hint);

    [LoggerMessage(102, LogLevel.Information, "request.notified {RequestId} client={ClientId} subject={Subject} channel={Channel}")]
    private static partial void Notified(ILogger logger, string requestId, string clientId, string subject, string? channel);

    [LoggerMessage(103, LogLevel.Information, "request.viewed {RequestId} client={ClientId} subject={Subject} channel={Channel}")]
    private static partial void Viewed(ILogger logger, string requestId, string clientId, string subject, string? channel);

    [LoggerMessage(104, LogLevel.Information, "request.decided {RequestId} client={ClientId} subject={Subject} decision={Decision} channel={Channel} evidence={Evidence}")]
    private static partial void Decided(ILogger logger, string requestId, string clientId, string subject, string decision, string? channel, string? evidence);

    [LoggerMessage(105, LogLevel.Information, "request.failed {RequestId} client={ClientId} subject={Subject} cause={Cause}")]
    private static partial void Failed(ILogger logger, string requestId, string clientId, string subject, string? cause);

    [LoggerMessage(106, LogLevel.Information, "request.redeemed {RequestId} client={ClientId} subject={Subject} via={Via}")]
    private static partial void Redeemed(ILogger logger, string requestId, string clientId, string subject, string? via);

    [LoggerMessage(107, LogLevel.Information, "request.expired {RequestId} client={ClientId} subject={Subject}")]
    private static partial void Expired(ILogger logger, string requestId, string clientId, string subject);

    [LoggerMessage(108, LogLevel.Information, "request.cancelled {RequestId} client={ClientId} subject={Subject} reason={Reason}")]
    private static partial void Cancelled(ILogger logger, string requestId, string clientId, string subject, string? reason);

    [LoggerMessage(201, LogLevel.Warning, "security.client_authentication_failed client={ClientId} method={Method} reason={Reason}")]
    private static partial void ClientAuthenticationFailedMessage(ILogger logger, string clientId, string method, string reason);

    [LoggerMessage(202, LogLevel.Warning, "security.refresh_token_reuse client={ClientId} subject={Subject} family={FamilyId}: the family is revoked")]
    private static partial void RefreshTokenReuseMessage(ILogger logger, string clientId, string subject, string familyId);

    [LoggerMessage(203, LogLevel.Warning, "security.replay_refused {What} client={ClientId}")]
    private static partial void ReplayRefusedMessage(ILogger logger, string what, string clientId);

    [LoggerMessage(204, LogLevel.Warning, "security.registration_refused {What} client={ClientId}")]
    private static partial void RegistrationRefusedMessage(ILogger logger, string what, string clientId);

    [LoggerMessage(301, LogLevel.Information, "client.registered client={ClientId} mode={DeliveryMode}")]
    private static partial void ClientRegisteredMessage(ILogger logger, string clientId, string deliveryMode);

    [LoggerMessage(302, LogLevel.Information, "client.updated client={ClientId} token_rotated={TokenRotated}")]
    private static partial void ClientUpdatedMessage(ILogger logger, string clientId, bool tokenRotated);

    [LoggerMessage(303, LogLevel.Information, "client.deleted client={ClientId}")]
    private static partial void ClientDeletedMessage(ILogger logger, string clientId);

    [LoggerMessage(311, LogLevel.Information, "token.revoked client={ClientId} type={TokenType}")]
    private static partial void TokenRevokedMessage(ILogger logger, string clientId, string tokenType);

    [LoggerMessage(321, LogLevel.Information, "device.removed device={DeviceId} subject={Subject} by={By}")]
    private static partial void DeviceRemovedMessage(ILogger logger, string deviceId, string subject, string by);
}
