using System.Diagnostics;

namespace Backchannel.Bench.Signing;

/// <summary>
/// The signing rate per core when every core signs at once (one thread per logical core, the product's signing path).
/// Cores of a virtual machine may share execution units with each other or with neighbours, so this rate, not the
/// single-threaded one, is what a server that keeps all its cores busy can count on.
/// </summary>
public static class AllCoresSigning
{
    /// <summary>JWT signatures per second per thread, with <paramref name="threads"/> threads (default: one per logical core) signing at once.</summary>
    public static double JwtSignPerSecPerCore(string alg, TimeSpan duration, int? threads = null)
    {
        var count = threads ?? Environment.ProcessorCount;
        long total = 0;
        using var ready = new Barrier(count + 1);
        var workers = Enumerable.Range(0, count).Select(_ => new Thread(() =>
        {
            var bench = new SigningBenchmarks { Alg = alg };
            bench.Setup();
            for (var i = 0; i < 200; i++)
            {
                bench.JwtSign(); // warm: the first calls compile and initialise OpenSSL state
            }

            ready.SignalAndWait();
            long signed = 0;
            var end = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
            while (Stopwatch.GetTimestamp() < end)
            {
                bench.JwtSign();
                signed++;
            }

            Interlocked.Add(ref total, signed);
            bench.Cleanup();
        })).ToList();

        workers.ForEach(t => t.Start());
        ready.SignalAndWait();
        var clock = Stopwatch.StartNew();
        workers.ForEach(t => t.Join());
        return total / clock.Elapsed.TotalSeconds / count;
    }
}
