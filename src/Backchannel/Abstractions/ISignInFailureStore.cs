using Backchannel.Domain;

namespace Backchannel.Abstractions;

/// <summary>
/// Failed sign-ins per account (the portal's lockout), counted in the store so that a lockout holds on every node. Each
/// change is one conditional statement.
/// </summary>
public interface ISignInFailureStore
{
    /// <summary>When the account's lockout ends, if it is locked out at <paramref name="now"/>; null otherwise.</summary>
    ValueTask<DateTimeOffset?> LockedUntilAsync(string account, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>
    /// Counts a failure (afresh when the last window or lockout is over) and locks the account when the count reaches the
    /// policy's maximum; the count and lockout after this failure.
    /// </summary>
    Task<SignInFailures> RecordFailureAsync(string account, DateTimeOffset now, SignInLockoutPolicy policy, CancellationToken cancellationToken);

    /// <summary>A successful sign-in: forgets the account's failures, unless it is locked out at <paramref name="now"/>.</summary>
    Task ClearAsync(string account, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Removes the counts whose window and lockout are over.</summary>
    Task<int> DeleteExpiredAsync(DateTimeOffset now, CancellationToken cancellationToken);
}
