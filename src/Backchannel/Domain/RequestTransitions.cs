namespace Backchannel.Domain;

/// <summary>
/// The state machine of a backchannel authentication request:
/// <code>
/// pending -> approved | denied      a decision (unexpired only)
/// pending -> failed                 the device could not be reached
/// approved -> redeemed              tokens issued (poll, ping) or delivered (push)
/// approved -> failed                pushed tokens could not be delivered
/// </code>
/// Every store applies a transition as one conditional statement on the status it leaves, and checks its row count.
/// </summary>
public static class RequestTransitions
{
    /// <summary>The state a decision leaves.</summary>
    public const AuthenticationRequestStatus DecidedFrom = AuthenticationRequestStatus.Pending;

    /// <summary>The state a redemption (or a delivered push) leaves.</summary>
    public const AuthenticationRequestStatus RedeemedFrom = AuthenticationRequestStatus.Approved;

    /// <summary>The state a decision leads to.</summary>
    public static AuthenticationRequestStatus DecidedTo(bool approved) =>
        approved ? AuthenticationRequestStatus.Approved : AuthenticationRequestStatus.Denied;

    /// <summary>The state a failure leaves: only a pending request's device can refuse it, only approved tokens can be lost.</summary>
    public static AuthenticationRequestStatus FailedFrom(FailureCause cause) => cause switch
    {
        FailureCause.DeviceUnreachable => AuthenticationRequestStatus.Pending,
        FailureCause.PushUndeliverable => AuthenticationRequestStatus.Approved,
        _ => throw new ArgumentOutOfRangeException(nameof(cause)),
    };

    public static bool CanDecide(AuthenticationRequest request, DateTimeOffset now) =>
        request.Status == DecidedFrom && !request.IsExpired(now);
}

/// <summary>Why a request failed.</summary>
public enum FailureCause
{
    /// <summary>The authentication device refused the notification: the user cannot be asked.</summary>
    DeviceUnreachable,

    /// <summary>The push of approved tokens could not be delivered; they were revoked.</summary>
    PushUndeliverable,
}
