using Backchannel.Abstractions;

namespace Backchannel.Tests.Storage.Contract;

/// <summary>The contract of <see cref="IStoreLock"/>: a named lock, held by one at a time, released by disposing it.</summary>
public abstract class StoreLockContract : StoreContract
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    private IStoreLock Lock => Stores.Lock;

    private ValueTask<IAsyncDisposable> AcquireAsync(string name, CancellationToken cancellationToken = default) =>
        Lock.AcquireAsync(name, cancellationToken);

    /// <summary>Lets a waiting acquisition run, if it could.</summary>
    private static async Task SettleAsync()
    {
        for (var i = 0; i < 5; i++)
        {
            await Task.Yield();
            await Task.Delay(1);
        }
    }

    [Fact]
    public async Task Second_acquisition_of_a_name_waits_until_the_first_is_disposed()
    {
        var first = await AcquireAsync(StoreLocks.Keys).AsTask().WaitAsync(Patience);

        var second = AcquireAsync(StoreLocks.Keys).AsTask();
        await SettleAsync();
        Assert.False(second.IsCompleted, "the second acquisition must wait while the first holds the lock");

        await first.DisposeAsync();
        var held = await second.WaitAsync(Patience);

        var third = AcquireAsync(StoreLocks.Keys).AsTask();
        await SettleAsync();
        Assert.False(third.IsCompleted, "the lock is held again by the second acquisition");
        await held.DisposeAsync();
        await (await third.WaitAsync(Patience)).DisposeAsync();
    }

    [Fact]
    public async Task Different_names_do_not_block_each_other()
    {
        await using var keys = await AcquireAsync(StoreLocks.Keys).AsTask().WaitAsync(Patience);

        await using var seeding = await AcquireAsync(StoreLocks.Seeding).AsTask().WaitAsync(Patience);
        await using var other = await AcquireAsync("contract.other").AsTask().WaitAsync(Patience);
    }

    [Fact]
    public async Task Many_contenders_hold_the_lock_one_at_a_time()
    {
        var inside = 0;
        var maxInside = 0;
        var entries = 0;

        await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => Task.Run(async () =>
        {
            for (var round = 0; round < 5; round++)
            {
                await using (await AcquireAsync(StoreLocks.Seeding))
                {
                    var now = Interlocked.Increment(ref inside);
                    InterlockedMax(ref maxInside, now);
                    await Task.Yield();
                    await Task.Delay(1);
                    Interlocked.Increment(ref entries);
                    Interlocked.Decrement(ref inside);
                }
            }
        }))).WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(100, entries);
        Assert.Equal(1, maxInside);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int current;
        while ((current = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }

    [Fact]
    public async Task A_waiting_acquisition_can_be_cancelled_and_the_lock_still_works()
    {
        var first = await AcquireAsync(StoreLocks.Keys).AsTask().WaitAsync(Patience);
        using var cancellation = new CancellationTokenSource();

        var waiting = AcquireAsync(StoreLocks.Keys, cancellation.Token).AsTask();
        await SettleAsync();
        Assert.False(waiting.IsCompleted);
        await cancellation.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting.WaitAsync(Patience));
        await first.DisposeAsync();
        await (await AcquireAsync(StoreLocks.Keys).AsTask().WaitAsync(Patience)).DisposeAsync();
    }

    [Fact]
    public async Task Disposing_a_lock_twice_releases_it_once()
    {
        var first = await AcquireAsync(StoreLocks.Keys).AsTask().WaitAsync(Patience);
        await first.DisposeAsync();
        var second = await AcquireAsync(StoreLocks.Keys).AsTask().WaitAsync(Patience);

        await first.DisposeAsync();

        var third = AcquireAsync(StoreLocks.Keys).AsTask();
        await SettleAsync();
        Assert.False(third.IsCompleted, "a second dispose of a released lock must not release the next holder's");
        await second.DisposeAsync();
        await (await third.WaitAsync(Patience)).DisposeAsync();
    }
}
