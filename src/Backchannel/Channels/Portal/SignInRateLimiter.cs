using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace Backchannel.Channels.Portal;

/// <summary>
/// Limits sign-in attempts per user name (<c>Channels:Portal:SignInAttemptsPerMinutePerUser</c>) and per client address
/// (<c>Channels:Portal:SignInAttemptsPerMinutePerAddress</c>), counted per node. The lockout after repeated failures is
/// counted in the store instead, and holds on every node.
/// </summary>
public sealed class SignInRateLimiter : IDisposable
{
    private readonly PartitionedRateLimiter<string>? _perUser;
    private readonly PartitionedRateLimiter<string>? _perAddress;

    public SignInRateLimiter(IOptions<ChannelOptions> options)
    {
        _perUser = Create(options.Value.Portal.SignInAttemptsPerMinutePerUser);
        _perAddress = Create(options.Value.Portal.SignInAttemptsPerMinutePerAddress);
    }

    /// <summary>Takes a permit for an attempt as <paramref name="username"/> from <paramref name="address"/>; false when either allowance is spent.</summary>
    public bool TryAcquire(string username, string address)
    {
        if (_perAddress is not null)
        {
            using var addressLease = _perAddress.AttemptAcquire(address);
            if (!addressLease.IsAcquired)
            {
                return false;
            }
        }

        if (_perUser is null)
        {
            return true;
        }

        using var lease = _perUser.AttemptAcquire(username.ToUpperInvariant());
        return lease.IsAcquired;
    }

    public void Dispose()
    {
        _perUser?.Dispose();
        _perAddress?.Dispose();
    }

    private static PartitionedRateLimiter<string>? Create(int limit) =>
        limit <= 0
            ? null
            : PartitionedRateLimiter.Create<string, string>(key => RateLimitPartition.GetSlidingWindowLimiter(key,
                _ => new SlidingWindowRateLimiterOptions
                {
                    PermitLimit = limit,
                    Window = TimeSpan.FromMinutes(1),
                    SegmentsPerWindow = 6,
                    QueueLimit = 0,
                    AutoReplenishment = true,
                }), StringComparer.Ordinal);
}
