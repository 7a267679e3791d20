using Backchannel.Domain;
using Backchannel.Protocol;

namespace Backchannel.Tests.Storage;

/// <summary>Requests and messages to store in the contract tests.</summary>
public static class StoreData
{
    public static AuthenticationRequest Request(DateTimeOffset now, string? authReqId = null, TimeSpan? lifetime = null,
        string deliveryMode = DeliveryModes.Poll, string subject = "alice", string clientId = "client-a") => new()
    {
        Id = RandomIdentifiers.NewSortableId(now),
        AuthReqIdHash = SecretHash.Compute(authReqId ?? RandomIdentifiers.NewAuthReqId()),
        ClientId = clientId,
        Subject = subject,
        Scope = "openid email",
        DeliveryMode = deliveryMode,
        Channel = "http",
        Status = AuthenticationRequestStatus.Pending,
        CreatedAt = now,
        ExpiresAt = now + (lifetime ?? TimeSpan.FromMinutes(2)),
        IntervalSeconds = 5,
        ClientNotificationToken = DeliveryModes.Notifies(deliveryMode) ? "notification-token-0123456789abcdef" : null,
        SealedAuthReqId = DeliveryModes.Notifies(deliveryMode) ? [1, 2, 3] : null,
    };

    public static OutboxMessage DeviceNotification(AuthenticationRequest request, DateTimeOffset now, string? leaseOwner = null,
        TimeSpan? lease = null) => new()
    {
        RequestId = request.Id,
        Kind = OutboxKind.DeviceNotification,
        Destination = OutboxMessage.DeviceDestination(request.Channel),
        NextAttemptAt = now,
        ExpiresAt = request.ExpiresAt,
        CreatedAt = now,
        LeaseOwner = leaseOwner,
        LeaseUntil = leaseOwner is null ? null : now + (lease ?? TimeSpan.FromMinutes(1)),
    };

    /// <summary>The client's notification about <paramref name="request"/> (a ping, or a push carrying <paramref name="payload"/>).</summary>
    public static OutboxMessage ClientNotification(AuthenticationRequest request, DateTimeOffset now, byte[]? payload = null) => new()
    {
        RequestId = request.Id,
        Kind = request.DeliveryMode == DeliveryModes.Push ? OutboxKind.Push : OutboxKind.Ping,
        Destination = OutboxMessage.ClientDestination(request.ClientId),
        Payload = payload,
        NextAttemptAt = now,
        ExpiresAt = request.ExpiresAt > now ? request.ExpiresAt : now,
        CreatedAt = now,
    };

    public static Decision Approval(AuthenticationRequest request, string? acr = null) =>
        new(request.Id, Approved: true, acr, ["pwd"], "test");

    public static Decision Denial(AuthenticationRequest request) => new(request.Id, Approved: false, null, null, "test");

    public static RefreshTokenRecord RefreshToken(DateTimeOffset now, string familyId, string? token = null, TimeSpan? lifetime = null) => new()
    {
        TokenHash = SecretHash.Compute(token ?? RandomIdentifiers.NewRefreshToken()),
        FamilyId = familyId,
        ClientId = "client-a",
        Subject = "alice",
        Scope = "openid email",
        AuthTime = now,
        Acr = "urn:example:mfa",
        Amr = ["pwd"],
        CreatedAt = now,
        ExpiresAt = now + (lifetime ?? TimeSpan.FromDays(1)),
    };
}
