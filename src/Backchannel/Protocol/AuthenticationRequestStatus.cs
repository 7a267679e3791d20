namespace Backchannel.Protocol;

/// <summary>
/// The stored state of a backchannel authentication request:
/// pending -> approved | denied | failed, approved -> redeemed. Expiry is not stored: it follows from the time.
/// </summary>
public enum AuthenticationRequestStatus
{
    Pending = 0,
    Approved = 1,
    Denied = 2,

    /// <summary>The authentication device could not be reached (it refused the notification).</summary>
    Failed = 3,

    /// <summary>Tokens were issued (poll and ping: redeemed at the token endpoint; push: delivered).</summary>
    Redeemed = 4,
}
