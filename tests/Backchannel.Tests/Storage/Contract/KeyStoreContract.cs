using Backchannel.Abstractions;
using Backchannel.Domain;

namespace Backchannel.Tests.Storage.Contract;

/// <summary>The contract of <see cref="IKeyStore"/>: the provider's keys and their publication windows.</summary>
public abstract class KeyStoreContract : StoreContract
{
    private IKeyStore Keys => Stores.Keys;

    private static StoredKey Key(string keyId, KeyPurpose purpose = KeyPurpose.Tokens, string algorithm = "ES256", double activatesInDays = 0) =>
        new(keyId, algorithm, purpose, [0x30, 0x81, 0x00, 0xFF, (byte)keyId.Length], Now, Now.AddDays(activatesInDays), RetainUntil: null);

    private async Task<Dictionary<string, StoredKey>> ListAsync() =>
        (await Keys.ListAsync(CancellationToken.None)).ToDictionary(k => k.KeyId, StringComparer.Ordinal);

    [Fact]
    public async Task Empty_store_has_no_keys()
    {
        Assert.Empty(await Keys.ListAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Added_keys_are_listed_with_every_field()
    {
        var signing = Key("kid-1");
        var sealing = Key("kid-2", KeyPurpose.Sealing, "A256GCM", activatesInDays: 2) with { RetainUntil = Now.AddDays(90) };
        await Keys.AddAsync(signing, CancellationToken.None);
        await Keys.AddAsync(sealing, CancellationToken.None);

        var keys = await ListAsync();

        Assert.Equal(2, keys.Count);
        foreach (var expected in new[] { signing, sealing })
        {
            var found = keys[expected.KeyId];
            Assert.Equal(expected.Algorithm, found.Algorithm);
            Assert.Equal(expected.Purpose, found.Purpose);
            Assert.Equal(expected.PrivateKey, found.PrivateKey);
            Assert.Equal(expected.CreatedAt, found.CreatedAt);
            Assert.Equal(expected.ActivatesAt, found.ActivatesAt);
            Assert.Equal(expected.RetainUntil, found.RetainUntil);
        }
    }

    [Fact]
    public async Task Retire_sets_the_retention_of_that_key_only()
    {
        await Keys.AddAsync(Key("kid-1"), CancellationToken.None);
        await Keys.AddAsync(Key("kid-2", KeyPurpose.DeviceCallbacks), CancellationToken.None);

        await Keys.RetireAsync("kid-1", Now.AddDays(7), CancellationToken.None);

        var keys = await ListAsync();
        Assert.Equal(Now.AddDays(7), keys["kid-1"].RetainUntil);
        Assert.Null(keys["kid-2"].RetainUntil);
    }

    [Fact]
    public async Task Delete_removes_that_key_only()
    {
        await Keys.AddAsync(Key("kid-1"), CancellationToken.None);
        await Keys.AddAsync(Key("kid-2"), CancellationToken.None);

        await Keys.DeleteAsync("kid-1", CancellationToken.None);
        await Keys.DeleteAsync("unknown", CancellationToken.None);

        Assert.Equal(["kid-2"], (await ListAsync()).Keys);
    }

    [Fact]
    public async Task Keys_survive_a_reopen()
    {
        await Keys.AddAsync(Key("kid-1"), CancellationToken.None);

        await ReopenAsync();

        Assert.Equal(Key("kid-1").PrivateKey, (await ListAsync())["kid-1"].PrivateKey);
    }
}
