namespace Backchannel.Storage.Sqlite;

/// <summary>
/// The queue between the request threads and the SQLite writer thread. The writer takes everything queued in one
/// step (a batch) and, when there is nothing, sleeps until an operation arrives without spinning first: on a
/// machine with few cores a spinning writer takes the CPU from the requests that would fill its next batch
/// (BlockingCollection spins and yields before it blocks, which cost several percent of a flow).
/// </summary>
internal sealed class WriteQueue<T>
{
    // An object, not a System.Threading.Lock: the writer waits on it with Monitor.Wait.
    private readonly object _gate = new();
    private readonly int _maxBatchSize;
    private readonly Queue<T> _pending = new();
    private bool _writerWaiting;
    private bool _completed;

    public WriteQueue(int maxBatchSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBatchSize, 1);
        _maxBatchSize = maxBatchSize;
    }

    /// <summary>Queues an item; false once <see cref="Complete"/> was called.</summary>
    public bool TryAdd(T item)
    {
        lock (_gate)
        {
            if (_completed)
            {
                return false;
            }

            _pending.Enqueue(item);
            if (_writerWaiting)
            {
                _writerWaiting = false;
                Monitor.Pulse(_gate);
            }

            return true;
        }
    }

    /// <summary>
    /// Moves up to the batch size of queued items into <paramref name="batch"/>, waiting while there are none;
    /// false when the queue is completed and empty.
    /// </summary>
    public bool TryTakeBatch(List<T> batch)
    {
        lock (_gate)
        {
            while (_pending.Count == 0)
            {
                if (_completed)
                {
                    return false;
                }

                _writerWaiting = true;
                Monitor.Wait(_gate);
            }

            while (batch.Count < _maxBatchSize && _pending.TryDequeue(out var item))
            {
                batch.Add(item);
            }

            return true;
        }
    }

    /// <summary>No more items are accepted; the writer drains what is queued, then <see cref="TryTakeBatch"/> returns false.</summary>
    public void Complete()
    {
        lock (_gate)
        {
            _completed = true;
            Monitor.PulseAll(_gate);
        }
    }
}
