using System.Threading.RateLimiting;
using Backchannel.Protocol;
using Microsoft.Extensions.Options;

namespace Backchannel.Requests;

/// <summary>
/// Limits the authentication requests a user receives (protection against push bombing): per user and minute
/// (<c>Ciba:MaxRequestsPerUserPerMinute</c>), and per client and user and minute
/// (<c>Ciba:MaxRequestsPerClientAndUserPerMinute</c>), so that one client cannot spend a user's whole allowance and lock
/// the user's other clients out. Counted per node.
/// </summary>
public sealed class UserRequestRateLimiter : IDisposable
{
    private readonly PartitionedRateLimiter<string>? _perUser;
    private readonly PartitionedRateLimiter<(string Client, string Subject)>? _perClientAndUser;

    public UserRequestRateLimiter(IOptions<CibaOptions> options)
    {
        _perUser = Create<string>(options.Value.MaxRequestsPerUserPerMinute);
        _perClientAndUser = Create<(string, string)>(options.Value.EffectiveMaxRequestsPerClientAndUserPerMinute);
    }

    /// <summary>Takes a permit for <paramref name="clientId"/> asking <paramref name="subject"/>; false when either allowance is spent this minute.</summary>
    public bool TryAcquire(string clientId, string subject)
    {
        // The client's own allowance first: a client over it does not use up the user's.
        if (_perClientAndUser is not null)
        {
            using var clientLease = _perClientAndUser.AttemptAcquire((clientId, subject));
            if (!clientLease.IsAcquired)
            {
                return false;
            }
        }

        if (_perUser is null)
        {
            return true;
        }

        using var lease = _perUser.AttemptAcquire(subject);
        return lease.IsAcquired;
    }

    public void Dispose()
    {
        _perUser?.Dispose();
        _perClientAndUser?.Dispose();
    }

    private static PartitionedRateLimiter<TKey>? Create<TKey>(int limit)
        where TKey : notnull =>
        limit <= 0
            ? null
            : PartitionedRateLimiter.Create<TKey, TKey>(key => RateLimitPartition.GetSlidingWindowLimiter(key,
                _ => new SlidingWindowRateLimiterOptions
                {
                    PermitLimit = limit,
                    Window = TimeSpan.FromMinutes(1),
                    SegmentsPerWindow = 6,
                    QueueLimit = 0,
                    AutoReplenishment = true,
                }));
}
