namespace Backchannel.Domain;

/// <summary>
/// The stored state of a backchannel authentication request. Expiry is not stored: it follows from the time. The
/// transitions a state allows are those of <see cref="RequestTransitions"/>.
/// </summary>
public enum AuthenticationRequestStatus
{
    Pending = 0,
    Approved = 1,
    Denied = 2,

    /// <summary>The authentication could not be completed (the device refused the notification, or pushed tokens were lost).</summary>
    Failed = 3,

    /// <summary>Tokens were issued (poll and ping: redeemed at the token endpoint; push: delivered).</summary>
    Redeemed = 4,
}
