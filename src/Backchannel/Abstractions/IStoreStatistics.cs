namespace Backchannel.Abstractions;

/// <summary>Counts for the operators' gauges, read periodically (never on a request's path).</summary>
public interface IStoreStatistics
{
    Task<StoreStatistics> ReadAsync(DateTimeOffset now, CancellationToken cancellationToken);
}

/// <summary>Pending (undecided, unexpired) requests, and outbox messages waiting by kind.</summary>
public sealed record StoreStatistics(long PendingRequests, long DeviceNotifications, long Pings, long Pushes);
