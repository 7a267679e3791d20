using Backchannel.Storage.Sqlite;

namespace Backchannel.Tests;

public sealed class SqliteReplayCacheTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2030, 1, 2, 3, 4, 5, TimeSpan.Zero);

    private readonly TempDatabase _temp = new();
    private readonly SqliteReplayCache _cache;

    public SqliteReplayCacheTests() => _cache = new SqliteReplayCache(_temp.Database);

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task First_add_succeeds_and_a_replay_is_refused()
    {
        Assert.True(await _cache.TryAddAsync("assertion:client-a:jti-1", Now.AddMinutes(5), default));
        Assert.False(await _cache.TryAddAsync("assertion:client-a:jti-1", Now.AddMinutes(5), default));
    }

    [Fact]
    public async Task Different_keys_are_independent()
    {
        Assert.True(await _cache.TryAddAsync("assertion:client-a:jti-1", Now.AddMinutes(5), default));
        Assert.True(await _cache.TryAddAsync("assertion:client-b:jti-1", Now.AddMinutes(5), default));
        Assert.True(await _cache.TryAddAsync("assertion:client-a:JTI-1", Now.AddMinutes(5), default));
    }

    [Fact]
    public async Task Concurrent_adds_of_one_key_have_one_winner()
    {
        var results = await Task.WhenAll(Enumerable.Range(0, 30).Select(_ => Task.Run(() =>
            _cache.TryAddAsync("request:client-a:jti-race", Now.AddMinutes(5), default))));

        Assert.Single(results, r => r);
    }

    [Fact]
    public async Task Expired_entries_are_deleted_and_the_key_can_be_added_again()
    {
        await _cache.TryAddAsync("old", Now.AddMinutes(-1), default);
        await _cache.TryAddAsync("current", Now.AddMinutes(1), default);

        Assert.Equal(1, await _cache.DeleteExpiredAsync(Now, default));

        Assert.True(await _cache.TryAddAsync("old", Now.AddMinutes(5), default));
        Assert.False(await _cache.TryAddAsync("current", Now.AddMinutes(5), default));
    }
}
