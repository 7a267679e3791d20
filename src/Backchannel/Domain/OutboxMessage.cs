namespace Backchannel.Domain;

/// <summary>What an outbox message notifies.</summary>
public enum OutboxKind
{
    /// <summary>Tell the user's authentication device about a new request.</summary>
    DeviceNotification = 1,

    /// <summary>Ping the client: its request was decided.</summary>
    Ping = 2,

    /// <summary>Push the token response or the error to the client.</summary>
    Push = 3,
}

/// <summary>
/// A notification waiting in the store to be delivered. A message is leased to one node at a time (its owner, until the
/// lease ends); only the lease holder may complete or reschedule it.
/// </summary>
public sealed record OutboxMessage
{
    public long Id { get; init; }

    public required string RequestId { get; init; }

    public required OutboxKind Kind { get; init; }

    /// <summary>
    /// Where the message goes, as deliveries are isolated by it: <c>device:{channel}</c> for device notifications,
    /// <c>client:{client_id}</c> for pings and pushes.
    /// </summary>
    public required string Destination { get; init; }

    /// <summary>Kind-specific data (for push: the sealed token response).</summary>
    public byte[]? Payload { get; init; }

    public int Attempts { get; init; }

    public required DateTimeOffset NextAttemptAt { get; init; }

    /// <summary>When delivery stops being useful (the request's expiry).</summary>
    public required DateTimeOffset ExpiresAt { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>The node holding the lease, if any: set when the message is claimed, or when it is inserted for the in-process hand-off.</summary>
    public string? LeaseOwner { get; init; }

    public DateTimeOffset? LeaseUntil { get; init; }

    public bool IsDeviceNotification => Kind == OutboxKind.DeviceNotification;

    /// <summary>The channel of a device notification (from its destination); null for other messages.</summary>
    public string? DeviceChannel => Destination.StartsWith(DevicePrefix, StringComparison.Ordinal) ? Destination[DevicePrefix.Length..] : null;

    private const string DevicePrefix = "device:";

    /// <summary>The destination of a device notification through the channel <paramref name="channel"/>.</summary>
    public static string DeviceDestination(string channel) => DevicePrefix + channel;

    /// <summary>The destination of a ping or push to the client <paramref name="clientId"/>.</summary>
    public static string ClientDestination(string clientId) => "client:" + clientId;
}
