using Backchannel.Domain;

namespace Backchannel.Abstractions;

/// <summary>
/// Notifications waiting for delivery, shared by every node's worker. A message is leased to one owner until its lease
/// ends; completing or rescheduling it succeeds only for the lease holder (a node whose lease ran out is fenced off).
/// </summary>
public interface IOutboxStore
{
    /// <summary>Leases up to <paramref name="max"/> messages due at <paramref name="now"/> whose lease ended to <paramref name="owner"/>.</summary>
    Task<IReadOnlyList<OutboxMessage>> ClaimDueAsync(string owner, DateTimeOffset now, TimeSpan lease, int max, CancellationToken cancellationToken);

    /// <summary>Delivered or given up: the message goes, if <paramref name="owner"/> still holds its lease.</summary>
    Task<bool> CompleteAsync(long id, string owner, CancellationToken cancellationToken);

    /// <summary>Delivered: these messages go, in one transaction, where <paramref name="owner"/> still holds the lease.</summary>
    Task<int> CompleteManyAsync(IReadOnlyList<long> ids, string owner, CancellationToken cancellationToken);

    /// <summary>Schedules another attempt and releases the lease, if <paramref name="owner"/> still holds it.</summary>
    Task<bool> RescheduleAsync(long id, string owner, int attempts, DateTimeOffset nextAttemptAt, CancellationToken cancellationToken);

    /// <summary>
    /// Releases the leases <paramref name="owner"/> holds: a node restarting under the same identity (the embedded store's
    /// single process) takes back at once what it held when it stopped. Other nodes' leases are left alone.
    /// </summary>
    Task<int> ReleaseLeasesAsync(string owner, CancellationToken cancellationToken);
}
