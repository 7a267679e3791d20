using Backchannel.Abstractions;
using Backchannel.Domain;

namespace Backchannel.Tests.Storage.Contract;

/// <summary>The contract of <see cref="IKeyStore.ActivateAsync"/>: a rotation brought forward moves an unretired key's activation.</summary>
public abstract class KeyActivationContract : StoreContract
{
    private IKeyStore Keys => Stores.Keys;

    private static StoredKey Key(string keyId, double activatesInDays) =>
        new(keyId, "ES256", KeyPurpose.Tokens, [1, 2, 3], Now, Now.AddDays(activatesInDays), RetainUntil: null);

    [Fact]
    public async Task Activation_moves_an_unretired_key_and_nothing_else()
    {
        await Keys.AddAsync(Key("next", 7), CancellationToken.None);
        await Keys.AddAsync(Key("retired", -30) with { RetainUntil = Now.AddDays(30) }, CancellationToken.None);

        Assert.True(await Keys.ActivateAsync("next", Now, CancellationToken.None));
        Assert.False(await Keys.ActivateAsync("retired", Now, CancellationToken.None));
        Assert.False(await Keys.ActivateAsync("unknown", Now, CancellationToken.None));

        var keys = (await Keys.ListAsync(CancellationToken.None)).ToDictionary(k => k.KeyId);
        Assert.Equal(Now, keys["next"].ActivatesAt);
        Assert.Equal(Now.AddDays(-30), keys["retired"].ActivatesAt);
        Assert.Equal(new byte[] { 1, 2, 3 }, keys["next"].PrivateKey);
    }
}
