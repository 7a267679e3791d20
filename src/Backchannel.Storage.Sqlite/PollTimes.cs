using System.Collections.Concurrent;
using Backchannel.Domain;

namespace Backchannel.Storage.Sqlite;

/// <summary>
/// When each pending request was last polled, kept in process memory: the embedded store serves one process, and a
/// poll should not cost a write (10,000 clients polling every 5 s are 2,000 polls a second). The interval a slow_down
/// grows is written to the store, so it outlives a restart; after a restart a request's first poll is simply not slow_down.
/// </summary>
internal sealed class PollTimes
{
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    public int Count => _entries.Count;

    /// <summary>Applies the interval rule to a poll of <paramref name="requestId"/> at <paramref name="now"/> and remembers it.</summary>
    public PollResult Record(string requestId, int storedIntervalSeconds, DateTimeOffset now)
    {
        var entry = _entries.GetOrAdd(requestId, static _ => new Entry());
        lock (entry)
        {
            var result = CibaGrantRules.Poll(entry.LastPolledAt, Math.Max(entry.IntervalSeconds, storedIntervalSeconds), now);
            entry.LastPolledAt = now;
            entry.IntervalSeconds = result.IntervalSeconds;
            return result;
        }
    }

    public void Forget(string requestId) => _entries.TryRemove(requestId, out _);

    /// <summary>Drops requests not polled since <paramref name="cutoff"/> (decided, expired, or abandoned by their client).</summary>
    public void ForgetPolledBefore(DateTimeOffset cutoff)
    {
        foreach (var (id, entry) in _entries)
        {
            if (entry.LastPolledAt < cutoff)
            {
                _entries.TryRemove(id, out _);
            }
        }
    }

    private sealed class Entry
    {
        public DateTimeOffset? LastPolledAt { get; set; }

        public int IntervalSeconds { get; set; }
    }
}
