namespace Backchannel.Delivery;

/// <summary>Exponential backoff with jitter, bounded by a maximum delay, a maximum of attempts and the message's expiry.</summary>
public sealed record RetrySchedule(TimeSpan InitialDelay, TimeSpan MaxDelay, int MaxAttempts)
{
    /// <summary>
    /// When to try again after <paramref name="attempts"/> failed attempts, or null to give up. The delay doubles with
    /// each attempt, is drawn between half and all of it ("equal jitter") so that receivers coming back are not hit by
    /// every sender at once, and honours a longer Retry-After.
    /// </summary>
    public DateTimeOffset? Next(int attempts, DateTimeOffset now, DateTimeOffset expiresAt, TimeSpan? retryAfter, double random)
    {
        if (attempts >= MaxAttempts)
        {
            return null;
        }

        var exponent = Math.Min(attempts - 1, 30);
        var ceiling = Math.Min(MaxDelay.TotalSeconds, InitialDelay.TotalSeconds * Math.Pow(2, exponent));
        var delay = TimeSpan.FromSeconds(ceiling / 2 + ceiling / 2 * random);
        if (retryAfter is { } requested && requested > delay)
        {
            delay = requested < MaxDelay ? requested : MaxDelay;
        }

        var next = now + delay;
        return next < expiresAt ? next : null;
    }
}
