namespace Backchannel.Domain;

/// <summary>
/// When failed sign-ins lock an account: <see cref="MaxFailures"/> failures within <see cref="Window"/> lock it for
/// <see cref="LockoutDuration"/>; failures are counted afresh once the window (or the lockout) is over.
/// </summary>
public sealed record SignInLockoutPolicy(int MaxFailures, TimeSpan Window, TimeSpan LockoutDuration);

/// <summary>An account's failed sign-ins as counted after a failure, and the end of its lockout if that failure locked it (or it was locked).</summary>
public sealed record SignInFailures(int Failures, DateTimeOffset? LockedUntil);
