using System.Diagnostics;
using Microsoft.Extensions.Time.Testing;

namespace Backchannel.Tests.Support;

/// <summary>Waiting for something another task does, with a deadline in real time so that no test can hang.</summary>
public static class Wait
{
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Waits until <paramref name="condition"/> holds, moving <paramref name="time"/> on by <paramref name="step"/> (20 ms
    /// unless given) between checks, so that work waiting on the fake clock (a flush delay, a scan) gets its turn.
    /// </summary>
    public static async Task UntilAsync(Func<bool> condition, string because, FakeTimeProvider? time = null, TimeSpan? step = null)
    {
        var watch = Stopwatch.StartNew();
        while (!condition())
        {
            if (watch.Elapsed > Deadline)
            {
                Assert.Fail($"Timed out waiting until {because}.");
            }

            time?.Advance(step ?? TimeSpan.FromMilliseconds(20));
            await Task.Delay(5);
        }
    }
}
