using Microsoft.Extensions.Time.Testing;

namespace Backchannel.IntegrationTests.Infrastructure;

/// <summary>
/// A provider's clock that the test advances (a <see cref="FakeTimeProvider"/> starting now). The provider it runs
/// registers how to tell that it is settled (no notification being sent, none delivered but not yet removed from the
/// outbox), so that <see cref="ClockSteps.StepAsync"/> moves time only between deliveries: a jump of the clock during an
/// attempt would otherwise run out the attempt's timeout or its lease and make a retry the product never makes.
/// </summary>
public sealed class TestClock() : FakeTimeProvider(DateTimeOffset.UtcNow)
{
    /// <summary>Whether the provider on this clock is settled; set by <see cref="TestProvider.StartAsync"/>.</summary>
    internal Func<Task<bool>>? Settled { get; set; }
}

internal static class ClockSteps
{
    /// <summary>How long a step waits at most for the provider to settle before it moves the clock anyway.</summary>
    private static readonly TimeSpan SettleLimit = TimeSpan.FromSeconds(1);

    /// <summary>Advances the clock by <paramref name="by"/> once the provider is settled (or after a short real wait).</summary>
    public static async Task StepAsync(this FakeTimeProvider clock, TimeSpan by)
    {
        if (clock is TestClock { Settled: { } settled })
        {
            var deadline = DateTime.UtcNow + SettleLimit;
            while (!await settled() && DateTime.UtcNow < deadline)
            {
                await Task.Delay(10);
            }
        }

        clock.Advance(by);
    }

    /// <summary>
    /// Advances the clock by <paramref name="total"/> in steps spread over about <paramref name="realWindow"/> of real
    /// time, so that the provider's timers (the outbox scan, expiry notifications, cleanup) run at each step; stops early
    /// when <paramref name="stop"/> says so.
    /// </summary>
    public static async Task AdvanceInStepsAsync(this FakeTimeProvider clock, TimeSpan total, TimeSpan realWindow, Func<bool>? stop = null)
    {
        var steps = Math.Max(1, (int)Math.Ceiling(realWindow / StepPause));
        var step = total / steps;
        for (var i = 0; i < steps && stop?.Invoke() != true; i++)
        {
            await clock.StepAsync(step);
            await Task.Delay(StepPause);
        }
    }

    /// <summary>The real time between two steps of the clock: the provider's background work runs in it.</summary>
    public static readonly TimeSpan StepPause = TimeSpan.FromMilliseconds(50);
}
