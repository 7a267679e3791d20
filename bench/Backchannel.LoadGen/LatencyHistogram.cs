using System.Numerics;

namespace Backchannel.LoadGen;

/// <summary>
/// A lock-free latency histogram in microseconds with HdrHistogram-style log buckets: values below 128 µs
/// are exact, above that every power of two is cut into 64 linear sub-buckets (relative error under 1.6 %,
/// reported as the bucket's upper bound). Shared by all workers; recording is a few interlocked adds.
/// </summary>
public sealed class LatencyHistogram
{
    private const int SubBucketBits = 7;
    private const int SubBucketCount = 1 << SubBucketBits; // 128
    private const int HalfCount = SubBucketCount / 2; // 64
    private const int MaxBits = 41; // about 25 days in µs
    private const int MaxShift = MaxBits - SubBucketBits;
    private const long MaxTrackable = (1L << MaxBits) - 1;
    private const int BucketCount = SubBucketCount + MaxShift * HalfCount;

    private readonly long[] _counts = new long[BucketCount];
    private long _total;
    private long _sum;
    private long _max;
    private long _min = long.MaxValue;

    public long Count => Volatile.Read(ref _total);

    public long MaxMicros => Count == 0 ? 0 : Volatile.Read(ref _max);

    public long MinMicros => Count == 0 ? 0 : Volatile.Read(ref _min);

    public double MeanMicros => Count == 0 ? 0 : (double)Volatile.Read(ref _sum) / Count;

    public void RecordTicks(long stopwatchTicks) => RecordMicros(Clock.TicksToMicros(stopwatchTicks));

    public void RecordMicros(long micros)
    {
        var v = Math.Clamp(micros, 0, MaxTrackable);
        Interlocked.Increment(ref _counts[IndexOf(v)]);
        Interlocked.Increment(ref _total);
        Interlocked.Add(ref _sum, v);

        var max = Volatile.Read(ref _max);
        while (v > max)
        {
            var seen = Interlocked.CompareExchange(ref _max, v, max);
            if (seen == max)
            {
                break;
            }

            max = seen;
        }

        var min = Volatile.Read(ref _min);
        while (v < min)
        {
            var seen = Interlocked.CompareExchange(ref _min, v, min);
            if (seen == min)
            {
                break;
            }

            min = seen;
        }
    }

    /// <summary>The value at or below which <paramref name="percentile"/> % of the samples fall (µs).</summary>
    public long PercentileMicros(double percentile)
    {
        var total = Count;
        if (total == 0)
        {
            return 0;
        }

        var rank = Math.Max(1, (long)Math.Ceiling(percentile / 100.0 * total));
        long seen = 0;
        for (var i = 0; i < _counts.Length; i++)
        {
            seen += Volatile.Read(ref _counts[i]);
            if (seen >= rank)
            {
                return Math.Min(HighestEquivalent(i), MaxMicros);
            }
        }

        return MaxMicros;
    }

    internal static int IndexOf(long v)
    {
        if (v < SubBucketCount)
        {
            return (int)v;
        }

        var msb = 63 - BitOperations.LeadingZeroCount((ulong)v);
        var shift = msb - (SubBucketBits - 1); // v >> shift is in [64, 127]
        return SubBucketCount + (shift - 1) * HalfCount + (int)((v >> shift) - HalfCount);
    }

    internal static long HighestEquivalent(int index)
    {
        if (index < SubBucketCount)
        {
            return index;
        }

        var rel = index - SubBucketCount;
        var shift = rel / HalfCount + 1;
        long sub = rel % HalfCount + HalfCount;
        return ((sub + 1) << shift) - 1;
    }
}
