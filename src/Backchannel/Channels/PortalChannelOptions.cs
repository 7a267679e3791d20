namespace Backchannel.Channels;

/// <summary>
/// The user's web portal at <c>/device</c>, the channel named <c>portal</c>: <c>Backchannel:Channels:Portal</c>. Its sign-in
/// also serves the e-mail channel when <c>Channels:Email:RequireSignIn</c> is set.
/// </summary>
public sealed class PortalChannelOptions
{
    /// <summary>Whether the portal is served and the <c>portal</c> channel exists. Empty: on in Development, off elsewhere.</summary>
    public bool? Enabled { get; set; }

    /// <summary>Failed sign-ins of one user, within <see cref="LockoutSeconds"/>, after which the user is locked out for that long.</summary>
    public int MaxFailedSignIns { get; set; } = 5;

    /// <summary>How long failures are counted, and how long a user who reached <see cref="MaxFailedSignIns"/> cannot sign in.</summary>
    public int LockoutSeconds { get; set; } = 300;

    /// <summary>Sign-in attempts per minute for one user name, on each node (0: no limit).</summary>
    public int SignInAttemptsPerMinutePerUser { get; set; } = 10;

    /// <summary>Sign-in attempts per minute from one client address, on each node (0: no limit).</summary>
    public int SignInAttemptsPerMinutePerAddress { get; set; } = 30;

    /// <summary>How long a portal session lasts without use (sliding).</summary>
    public int SessionMinutes { get; set; } = 30;

    public bool EffectiveEnabled(bool development) => Enabled ?? development;
}
