namespace Backchannel.Abstractions;

/// <summary>
/// A named lock held across every node that shares the store (SQLite: the single process that may open the file;
/// PostgreSQL: an advisory lock). For work that must happen once however many nodes start together: migrations,
/// seeding, key creation and rotation.
/// </summary>
public interface IStoreLock
{
    /// <summary>Waits for the lock; disposing the result releases it.</summary>
    ValueTask<IAsyncDisposable> AcquireAsync(string name, CancellationToken cancellationToken);
}

/// <summary>The names of the store locks the provider takes.</summary>
public static class StoreLocks
{
    public const string Keys = "backchannel.keys";
    public const string Seeding = "backchannel.seeding";
}
