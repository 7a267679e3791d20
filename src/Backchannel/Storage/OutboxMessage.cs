namespace Backchannel.Storage;

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

/// <summary>A notification waiting in the store to be delivered.</summary>
public sealed record OutboxMessage
{
    public long Id { get; init; }

    public required string RequestId { get; init; }

    public required OutboxKind Kind { get; init; }

    /// <summary>Kind-specific data (for push: the sealed token response).</summary>
    public byte[]? Payload { get; init; }

    public int Attempts { get; init; }

    public required DateTimeOffset NextAttemptAt { get; init; }

    /// <summary>When delivery stops being useful (the request's expiry).</summary>
    public required DateTimeOffset ExpiresAt { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }
}
