using System.Collections.Concurrent;
using Backchannel.Abstractions;

namespace Backchannel.Storage.Sqlite;

/// <summary>
/// The store lock of the embedded store: only one process may open the SQLite file (<see cref="SqliteDatabase"/> holds
/// an exclusive lock on it), so a lock within this process is a lock across every node of this store.
/// </summary>
internal sealed class SqliteStoreLock : IStoreLock
{
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _locks = new(StringComparer.Ordinal);

    public async ValueTask<IAsyncDisposable> AcquireAsync(string name, CancellationToken cancellationToken)
    {
        var semaphore = _locks.GetOrAdd(name, static _ => new SemaphoreSlim(1, 1));
        await semaphore.WaitAsync(cancellationToken);
        return new Release(semaphore);
    }

    private sealed class Release(SemaphoreSlim semaphore) : IAsyncDisposable
    {
        private int _released;

        public ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                semaphore.Release();
            }

            return ValueTask.CompletedTask;
        }
    }
}
