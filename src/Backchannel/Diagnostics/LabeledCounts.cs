using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;

namespace Backchannel.Diagnostics;

/// <summary>
/// The counts of one monotonic counter per label set (one or two label values), kept in the provider and read by an
/// observable counter when metrics are collected. Counting is one dictionary lookup and one atomic increment; a listener
/// per event (what <see cref="Counter{T}"/> costs with an exporter attached) is not on the request's path.
/// </summary>
internal sealed class LabeledCounts
{
    private readonly string _first;
    private readonly string? _second;
    private readonly ConcurrentDictionary<(string First, string? Second), StrongBox<long>> _counts = new();

    /// <param name="first">The name of the first label.</param>
    /// <param name="second">The name of the second label, if the counter has two.</param>
    public LabeledCounts(string first, string? second = null)
    {
        _first = first;
        _second = second;
    }

    /// <summary>Adds <paramref name="value"/> (zero: the series exists before its first event) to a label set's count.</summary>
    public void Add(long value, string first, string? second = null)
    {
        var count = _counts.GetOrAdd((first, second), static _ => new StrongBox<long>());
        if (value != 0)
        {
            Interlocked.Add(ref count.Value, value);
        }
    }

    /// <summary>Every label set's count, for the observable counter.</summary>
    public IEnumerable<Measurement<long>> Measure()
    {
        foreach (var ((first, second), count) in _counts)
        {
            yield return _second is null
                ? new Measurement<long>(Interlocked.Read(ref count.Value), new KeyValuePair<string, object?>(_first, first))
                : new Measurement<long>(Interlocked.Read(ref count.Value), new KeyValuePair<string, object?>(_first, first),
                    new KeyValuePair<string, object?>(_second, second));
        }
    }
}
