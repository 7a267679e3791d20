using System.Runtime.InteropServices;
using Backchannel.Abstractions;
using Backchannel.Domain;
using Backchannel.Tests.Support;

namespace Backchannel.Tests.Hardening;

/// <summary>
/// Issue 16, item 16: checking a user_code costs the same slow hash whether or not the user has a code, so that the cost
/// of the answer does not tell which users have one. The cost is measured as the CPU time of the calling thread (the
/// built-in directory over SQLite completes the check synchronously), which other work on the machine does not inflate.
/// </summary>
public sealed class UserCodeCheckCostTests
{
    private const string AliceCode = "2468";

    private static Task<TestServices> StartAsync() => TestServices.StartAsync(
    [
        .. TestSettings.User(0, "alice-sub", "alice"),
        new("Users:0:user_code", AliceCode),
        .. TestSettings.User(1, "bob-sub", "bob"),
    ]);

    [Fact]
    public async Task A_user_code_is_accepted_only_for_the_user_who_has_it()
    {
        await using var services = await StartAsync();
        var directory = services.Get<IUserDirectory>();
        var alice = (await directory.FindBySubjectAsync("alice-sub", CancellationToken.None))!;
        var bob = (await directory.FindBySubjectAsync("bob-sub", CancellationToken.None))!;

        Assert.True(await directory.VerifyUserCodeAsync(alice, AliceCode, CancellationToken.None));
        Assert.False(await directory.VerifyUserCodeAsync(alice, "1357", CancellationToken.None));
        Assert.False(await directory.VerifyUserCodeAsync(bob, AliceCode, CancellationToken.None));
        Assert.False(await directory.VerifyUserCodeAsync(bob, "", CancellationToken.None));
    }

    [Fact]
    public async Task Checking_the_code_of_a_user_without_one_costs_a_slow_hash_too()
    {
        await using var services = await StartAsync();
        var directory = services.Get<IUserDirectory>();
        var alice = (await directory.FindBySubjectAsync("alice-sub", CancellationToken.None))!;
        var bob = (await directory.FindBySubjectAsync("bob-sub", CancellationToken.None))!;

        // Warm up both paths (a lazily made hash, the JIT, the statement cache).
        CpuTimeOfCheck(directory, alice);
        CpuTimeOfCheck(directory, bob);

        var withCode = Enumerable.Range(0, 3).Select(_ => CpuTimeOfCheck(directory, alice)).Min();
        var withoutCode = Enumerable.Range(0, 3).Select(_ => CpuTimeOfCheck(directory, bob)).Min();

        // The same hash both ways: about 1. A check that skips the hash for a user without a code is ~1/1000.
        Assert.True(withoutCode >= withCode * 0.3,
            $"a wrong code costs {withCode.TotalMilliseconds:F2} ms of CPU for a user with a code, {withoutCode.TotalMilliseconds:F2} ms for one without");
    }

    /// <summary>The CPU time this thread spends on one failing user_code check of <paramref name="user"/>.</summary>
    private static TimeSpan CpuTimeOfCheck(IUserDirectory directory, User user)
    {
        var start = ThreadCpuTime();
        var check = directory.VerifyUserCodeAsync(user, "0000", CancellationToken.None);
        var end = ThreadCpuTime();
        Assert.True(check.IsCompletedSuccessfully, "the check did not complete on the calling thread: its cost cannot be measured there");
        Assert.False(check.Result);
        return end - start;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    private const int ClockThreadCpuTimeId = 3;

    [DllImport("libc", EntryPoint = "clock_gettime", SetLastError = true)]
    private static extern int ClockGetTime(int clockId, out TimeSpec time);

    private static TimeSpan ThreadCpuTime()
    {
        Assert.True(OperatingSystem.IsLinux(), "the thread's CPU time is read with Linux's clock_gettime");
        Assert.Equal(0, ClockGetTime(ClockThreadCpuTimeId, out var time));
        return TimeSpan.FromTicks(time.Seconds * TimeSpan.TicksPerSecond + time.Nanoseconds / 100);
    }
}
