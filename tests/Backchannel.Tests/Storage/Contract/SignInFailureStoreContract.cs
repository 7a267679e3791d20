using Backchannel.Abstractions;
using Backchannel.Domain;

namespace Backchannel.Tests.Storage.Contract;

/// <summary>
/// The contract of <see cref="ISignInFailureStore"/>: failures are counted per account within a window, the maximum locks
/// the account for the lockout's duration, counting starts afresh after the window or the lockout, and concurrent
/// failures are all counted (one statement each).
/// </summary>
public abstract class SignInFailureStoreContract : StoreContract
{
    private static readonly SignInLockoutPolicy Policy = new(MaxFailures: 3, Window: TimeSpan.FromMinutes(5), LockoutDuration: TimeSpan.FromMinutes(10));

    private ISignInFailureStore Failures => Stores.SignInFailures;

    private Task<SignInFailures> FailAsync(string account, DateTimeOffset at) => Failures.RecordFailureAsync(account, at, Policy, CancellationToken.None);

    private ValueTask<DateTimeOffset?> LockedUntilAsync(string account, DateTimeOffset at) => Failures.LockedUntilAsync(account, at, CancellationToken.None);

    [Fact]
    public async Task Failures_are_counted_and_the_maximum_locks_the_account_for_the_lockout()
    {
        Assert.Equal(new SignInFailures(1, null), await FailAsync("user:alice", Now));
        Assert.Equal(new SignInFailures(2, null), await FailAsync("user:alice", Now.AddSeconds(10)));
        Assert.Null(await LockedUntilAsync("user:alice", Now.AddSeconds(11)));

        var third = await FailAsync("user:alice", Now.AddSeconds(20));

        Assert.Equal(3, third.Failures);
        Assert.Equal(Now.AddSeconds(20) + Policy.LockoutDuration, third.LockedUntil);
        Assert.Equal(third.LockedUntil, await LockedUntilAsync("user:alice", Now.AddSeconds(21)));
        Assert.Equal(third.LockedUntil, await LockedUntilAsync("user:alice", Now.AddSeconds(20) + Policy.LockoutDuration - TimeSpan.FromMilliseconds(1)));
        Assert.Null(await LockedUntilAsync("user:alice", Now.AddSeconds(20) + Policy.LockoutDuration));
        Assert.Null(await LockedUntilAsync("user:bob", Now.AddSeconds(21)));
    }

    [Fact]
    public async Task After_the_lockout_counting_starts_afresh()
    {
        for (var i = 0; i < 3; i++)
        {
            await FailAsync("user:alice", Now);
        }

        var afterLockout = Now + Policy.LockoutDuration + TimeSpan.FromSeconds(1);

        Assert.Equal(new SignInFailures(1, null), await FailAsync("user:alice", afterLockout));
        Assert.Null(await LockedUntilAsync("user:alice", afterLockout));
    }

    [Fact]
    public async Task A_failure_after_the_window_starts_a_new_count()
    {
        await FailAsync("user:alice", Now);
        await FailAsync("user:alice", Now.AddMinutes(1));

        Assert.Equal(new SignInFailures(1, null), await FailAsync("user:alice", Now + Policy.Window));
        Assert.Equal(new SignInFailures(2, null), await FailAsync("user:alice", Now + Policy.Window + TimeSpan.FromMinutes(1)));
    }

    [Fact]
    public async Task Clearing_forgets_the_failures_but_not_a_running_lockout()
    {
        await FailAsync("user:alice", Now);
        await FailAsync("user:alice", Now);
        await Failures.ClearAsync("user:alice", Now, CancellationToken.None);
        Assert.Equal(new SignInFailures(1, null), await FailAsync("user:alice", Now.AddSeconds(1)));

        await FailAsync("user:alice", Now.AddSeconds(1));
        var locked = await FailAsync("user:alice", Now.AddSeconds(1));
        await Failures.ClearAsync("user:alice", Now.AddSeconds(2), CancellationToken.None);

        Assert.Equal(locked.LockedUntil, await LockedUntilAsync("user:alice", Now.AddSeconds(2)));
    }

    [Fact]
    public async Task Concurrent_failures_are_all_counted_and_lock_once_the_maximum_is_reached()
    {
        var results = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => Task.Run(() => FailAsync("user:raced", Now))));

        Assert.Equal(Enumerable.Range(1, 20), results.Select(r => r.Failures).Order());
        Assert.All(results.Where(r => r.Failures >= Policy.MaxFailures), r => Assert.NotNull(r.LockedUntil));
        Assert.All(results.Where(r => r.Failures < Policy.MaxFailures), r => Assert.Null(r.LockedUntil));
        Assert.NotNull(await LockedUntilAsync("user:raced", Now));
    }

    [Fact]
    public async Task Expired_counts_are_removed_and_lockouts_survive_a_reopen()
    {
        await FailAsync("user:old", Now);
        for (var i = 0; i < 3; i++)
        {
            await FailAsync("user:locked", Now);
        }

        var later = Now + Policy.Window + TimeSpan.FromSeconds(1);
        Assert.Equal(1, await Failures.DeleteExpiredAsync(later, CancellationToken.None));

        await ReopenAsync();

        Assert.NotNull(await LockedUntilAsync("user:locked", later));
        Assert.Equal(1, await Failures.DeleteExpiredAsync(Now + Policy.LockoutDuration, CancellationToken.None));
        Assert.Null(await LockedUntilAsync("user:locked", Now + Policy.LockoutDuration));
    }
}
