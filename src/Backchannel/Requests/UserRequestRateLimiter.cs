using System.Threading.RateLimiting;
using Backchannel.Protocol;
using Microsoft.Extensions.Options;

namespace Backchannel.Requests;

/// <summary>
/// Limits the authentication requests one user receives per minute (<c>Ciba:MaxRequestsPerUserPerMinute</c>), so that
/// a client cannot flood a user's device with prompts (push bombing). Counted per node.
/// </summary>
public sealed class UserRequestRateLimiter : IDisposable
{
    private readonly PartitionedRateLimiter<string>? _limiter;

    public UserRequestRateLimiter(IOptions<CibaOptions> options)
    {
        var limit = options.Value.MaxRequestsPerUserPerMinute;
        if (limit > 0)
        {
            _limiter = PartitionedRateLimiter.Create<string, string>(subject => RateLimitPartition.GetSlidingWindowLimiter(subject,
                _ => new SlidingWindowRateLimiterOptions
                {
                    PermitLimit = limit,
                    Window = TimeSpan.FromMinutes(1),
                    SegmentsPerWindow = 6,
                    QueueLimit = 0,
                    AutoReplenishment = true,
                }));
        }
    }

    /// <summary>Takes one permit for <paramref name="subject"/>; false when the user had enough requests this minute.</summary>
    public bool TryAcquire(string subject)
    {
        if (_limiter is null)
        {
            return true;
        }

        using var lease = _limiter.AttemptAcquire(subject);
        return lease.IsAcquired;
    }

    public void Dispose() => _limiter?.Dispose();
}
