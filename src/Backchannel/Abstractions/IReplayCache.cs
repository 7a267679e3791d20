namespace Backchannel.Abstractions;

/// <summary>JWT ids already used, kept until the JWT could no longer be accepted.</summary>
public interface IReplayCache
{
    /// <summary>Records <paramref name="key"/>; false if it was recorded before (a replay).</summary>
    Task<bool> TryAddAsync(string key, DateTimeOffset expiresAt, CancellationToken cancellationToken);

    Task<int> DeleteExpiredAsync(DateTimeOffset now, CancellationToken cancellationToken);
}
