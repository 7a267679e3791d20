using Backchannel.Abstractions;
using Backchannel.Domain;
using Microsoft.Extensions.Options;

namespace Backchannel.Channels.Portal;

/// <summary>What became of a sign-in attempt.</summary>
public enum SignInStatus
{
    SignedIn,

    /// <summary>Unknown user, no password, or a wrong one (the answer does not say which).</summary>
    Failed,

    /// <summary>Too many failures: the account is locked until <see cref="SignInResult.RetryAt"/>.</summary>
    LockedOut,

    /// <summary>Too many attempts from this address or for this name this minute.</summary>
    RateLimited,
}

public sealed record SignInResult(SignInStatus Status, User? User = null, DateTimeOffset? RetryAt = null);

/// <summary>
/// The portal's sign-in: a user name or e-mail address and a password, checked against the directory's password hash.
/// Attempts are rate limited per name and per client address (on each node); failures are counted per account in the
/// store, and <c>Channels:Portal:MaxFailedSignIns</c> of them within <c>LockoutSeconds</c> lock the account for that long
/// on every node. A locked account is refused before its password is checked. An unknown name costs the same slow hash
/// and gets the same answer as a wrong password.
/// </summary>
public sealed class PortalSignIn(
    IUserDirectory users,
    ISignInFailureStore failures,
    SignInRateLimiter rateLimiter,
    IOptions<ChannelOptions> options,
    TimeProvider time)
{
    public const int MaxUsernameLength = 256;
    public const int MaxPasswordLength = 1024;

    public async Task<SignInResult> SignInAsync(string username, string password, string clientAddress, CancellationToken cancellationToken)
    {
        username = username.Trim();
        if (username.Length is 0 or > MaxUsernameLength || password.Length is 0 or > MaxPasswordLength)
        {
            return new SignInResult(SignInStatus.Failed);
        }

        if (!rateLimiter.TryAcquire(username, clientAddress))
        {
            return new SignInResult(SignInStatus.RateLimited, RetryAt: time.GetUtcNow().AddMinutes(1));
        }

        var user = await users.FindByUsernameAsync(username, cancellationToken)
            ?? (username.Contains('@') ? await users.FindByEmailAsync(username, cancellationToken) : null);
        if (user is null)
        {
            // As slow as a wrong password: the answer's time does not tell whether the name exists.
            _ = await users.VerifyPasswordAsync(new User { Subject = string.Empty }, password, cancellationToken);
            return new SignInResult(SignInStatus.Failed);
        }

        var account = Account(user);
        if (await failures.LockedUntilAsync(account, time.GetUtcNow(), cancellationToken) is { } lockedUntil)
        {
            return new SignInResult(SignInStatus.LockedOut, RetryAt: lockedUntil);
        }

        if (await users.VerifyPasswordAsync(user, password, cancellationToken))
        {
            await failures.ClearAsync(account, time.GetUtcNow(), cancellationToken);
            return new SignInResult(SignInStatus.SignedIn, user);
        }

        var counted = await failures.RecordFailureAsync(account, time.GetUtcNow(), Policy, cancellationToken);
        return counted.LockedUntil is { } until
            ? new SignInResult(SignInStatus.LockedOut, RetryAt: until)
            : new SignInResult(SignInStatus.Failed);
    }

    private SignInLockoutPolicy Policy
    {
        get
        {
            var portal = options.Value.Portal;
            return new SignInLockoutPolicy(portal.MaxFailedSignIns, TimeSpan.FromSeconds(portal.LockoutSeconds), TimeSpan.FromSeconds(portal.LockoutSeconds));
        }
    }

    /// <summary>The key of a user's failure count.</summary>
    public static string Account(User user) => "user:" + user.Subject;
}
