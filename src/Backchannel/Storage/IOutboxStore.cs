namespace Backchannel.Storage;

/// <summary>Notifications waiting for delivery. A claimed message is leased to one deliverer until the lease ends.</summary>
public interface IOutboxStore
{
    /// <summary>Claims up to <paramref name="max"/> messages due at <paramref name="now"/> whose lease ended.</summary>
    Task<IReadOnlyList<OutboxMessage>> ClaimDueAsync(DateTimeOffset now, TimeSpan lease, int max, CancellationToken cancellationToken);

    /// <summary>Delivered, or given up: the message goes.</summary>
    Task CompleteAsync(long id, CancellationToken cancellationToken);

    /// <summary>Delivered: these messages go, in one transaction.</summary>
    Task CompleteManyAsync(IReadOnlyList<long> ids, CancellationToken cancellationToken);

    /// <summary>Schedules another attempt and releases the lease.</summary>
    Task RescheduleAsync(long id, int attempts, DateTimeOffset nextAttemptAt, CancellationToken cancellationToken);

    /// <summary>Releases every lease (a single-node store at start: the leases of a crashed process).</summary>
    Task ReleaseLeasesAsync(CancellationToken cancellationToken);

    /// <summary>The time the earliest message becomes due, if any.</summary>
    ValueTask<DateTimeOffset?> NextDueAsync(CancellationToken cancellationToken);
}
