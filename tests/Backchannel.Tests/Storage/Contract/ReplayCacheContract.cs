using Backchannel.Abstractions;

namespace Backchannel.Tests.Storage.Contract;

/// <summary>The contract of <see cref="IReplayCache"/>: a key is accepted once until it expires.</summary>
public abstract class ReplayCacheContract : StoreContract
{
    private IReplayCache Cache => Stores.ReplayCache;

    private Task<bool> AddAsync(string key, DateTimeOffset expiresAt) => Cache.TryAddAsync(key, expiresAt, CancellationToken.None);

    [Fact]
    public async Task First_add_succeeds_and_a_replay_is_refused()
    {
        Assert.True(await AddAsync("assertion:client-a:jti-1", Now.AddMinutes(5)));
        Assert.False(await AddAsync("assertion:client-a:jti-1", Now.AddMinutes(5)));
        Assert.False(await AddAsync("assertion:client-a:jti-1", Now.AddMinutes(10)));
    }

    [Fact]
    public async Task Different_keys_are_independent_and_case_sensitive()
    {
        Assert.True(await AddAsync("assertion:client-a:jti-1", Now.AddMinutes(5)));
        Assert.True(await AddAsync("assertion:client-b:jti-1", Now.AddMinutes(5)));
        Assert.True(await AddAsync("assertion:client-a:JTI-1", Now.AddMinutes(5)));
        Assert.True(await AddAsync("request:client-a:jti-1", Now.AddMinutes(5)));
    }

    [Fact]
    public async Task Concurrent_adds_of_one_key_have_one_winner()
    {
        var results = await Task.WhenAll(Enumerable.Range(0, 30).Select(_ => Task.Run(() => AddAsync("request:client-a:jti-race", Now.AddMinutes(5)))));

        Assert.Single(results, r => r);
    }

    [Fact]
    public async Task Expired_entries_are_deleted_and_the_key_can_be_added_again()
    {
        await AddAsync("old", Now.AddMinutes(-1));
        await AddAsync("older", Now.AddMinutes(-2));
        await AddAsync("current", Now.AddMinutes(1));

        Assert.Equal(2, await Cache.DeleteExpiredAsync(Now, CancellationToken.None));
        Assert.Equal(0, await Cache.DeleteExpiredAsync(Now, CancellationToken.None));

        Assert.True(await AddAsync("old", Now.AddMinutes(5)));
        Assert.False(await AddAsync("current", Now.AddMinutes(5)));
    }

    [Fact]
    public async Task Entries_survive_a_reopen()
    {
        Assert.True(await AddAsync("key", Now.AddMinutes(5)));

        await ReopenAsync();

        Assert.False(await AddAsync("key", Now.AddMinutes(5)));
    }
}
