using Backchannel.Delivery;

namespace Backchannel.Tests;

public class RetryScheduleTests
{
    private static readonly DateTimeOffset Now = new(2030, 1, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset FarAway = Now.AddDays(1);

    private static readonly RetrySchedule Schedule = new(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(60), MaxAttempts: 10);

    private static TimeSpan Delay(int attempts, double random, TimeSpan? retryAfter = null, RetrySchedule? schedule = null)
    {
        var next = (schedule ?? Schedule).Next(attempts, Now, FarAway, retryAfter, random);
        Assert.NotNull(next);
        return next.Value - Now;
    }

    [Theory]
    [InlineData(1, 2)]
    [InlineData(2, 4)]
    [InlineData(3, 8)]
    [InlineData(4, 16)]
    [InlineData(5, 32)]
    public void Ceiling_doubles_with_each_attempt(int attempts, double ceilingSeconds)
    {
        Assert.Equal(TimeSpan.FromSeconds(ceilingSeconds), Delay(attempts, random: 1));
        Assert.Equal(TimeSpan.FromSeconds(ceilingSeconds / 2), Delay(attempts, random: 0));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(6)]
    public void Jitter_stays_within_half_and_all_of_the_ceiling(int attempts)
    {
        var ceiling = Math.Min(60, 2 * Math.Pow(2, attempts - 1));
        var random = new Random(1234);
        for (var i = 0; i < 200; i++)
        {
            var delay = Delay(attempts, random.NextDouble());
            Assert.InRange(delay.TotalSeconds, ceiling / 2, ceiling);
        }
    }

    [Fact]
    public void Jitter_is_linear_in_the_random_draw()
    {
        Assert.Equal(TimeSpan.FromSeconds(6), Delay(3, random: 0.5));
    }

    [Theory]
    [InlineData(6)]
    [InlineData(9)]
    public void Delay_is_capped_at_the_maximum(int attempts)
    {
        Assert.Equal(TimeSpan.FromSeconds(60), Delay(attempts, random: 1));
        Assert.Equal(TimeSpan.FromSeconds(30), Delay(attempts, random: 0));
    }

    [Fact]
    public void Huge_attempt_counts_do_not_overflow()
    {
        var schedule = Schedule with { MaxAttempts = int.MaxValue };

        Assert.Equal(TimeSpan.FromSeconds(60), Delay(1_000_000, random: 1, schedule: schedule));
    }

    [Fact]
    public void Longer_retry_after_is_honoured()
    {
        Assert.Equal(TimeSpan.FromSeconds(45), Delay(1, random: 1, retryAfter: TimeSpan.FromSeconds(45)));
    }

    [Fact]
    public void Retry_after_is_capped_at_the_maximum_delay()
    {
        Assert.Equal(TimeSpan.FromSeconds(60), Delay(1, random: 0, retryAfter: TimeSpan.FromHours(1)));
    }

    [Fact]
    public void Shorter_retry_after_does_not_shorten_the_backoff()
    {
        Assert.Equal(TimeSpan.FromSeconds(16), Delay(4, random: 1, retryAfter: TimeSpan.FromSeconds(1)));
    }

    [Fact]
    public void Gives_up_after_the_maximum_attempts()
    {
        Assert.NotNull(Schedule.Next(9, Now, FarAway, null, 0.5));
        Assert.Null(Schedule.Next(10, Now, FarAway, null, 0.5));
        Assert.Null(Schedule.Next(11, Now, FarAway, null, 0.5));
    }

    [Fact]
    public void Gives_up_when_the_next_attempt_would_be_past_the_expiry()
    {
        Assert.Null(Schedule.Next(3, Now, Now.AddSeconds(7), null, 1));
        Assert.Null(Schedule.Next(3, Now, Now.AddSeconds(8), null, 1));
        Assert.Equal(Now.AddSeconds(8), Schedule.Next(3, Now, Now.AddSeconds(8.001), null, 1));
    }

    [Fact]
    public void Gives_up_when_retry_after_points_past_the_expiry()
    {
        Assert.Null(Schedule.Next(1, Now, Now.AddSeconds(30), TimeSpan.FromSeconds(40), 0));
    }

    [Fact]
    public void Gives_up_on_an_already_expired_message()
    {
        Assert.Null(Schedule.Next(1, Now, Now.AddSeconds(-1), null, 0));
    }
}
