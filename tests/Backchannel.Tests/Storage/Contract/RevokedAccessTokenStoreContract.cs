using Backchannel.Abstractions;

namespace Backchannel.Tests.Storage.Contract;

/// <summary>The contract of <see cref="IRevokedAccessTokenStore"/>: revoked jtis are known until they expire.</summary>
public abstract class RevokedAccessTokenStoreContract : StoreContract
{
    private IRevokedAccessTokenStore Revoked => Stores.RevokedAccessTokens;

    private ValueTask<bool> IsRevokedAsync(string jti) => Revoked.IsRevokedAsync(jti, CancellationToken.None);

    [Fact]
    public async Task Revoked_token_is_revoked_and_others_are_not()
    {
        await Revoked.RevokeAsync("jti-1", Now.AddMinutes(5), CancellationToken.None);

        Assert.True(await IsRevokedAsync("jti-1"));
        Assert.False(await IsRevokedAsync("jti-2"));
        Assert.False(await IsRevokedAsync("JTI-1"));
    }

    [Fact]
    public async Task Revoking_twice_is_harmless()
    {
        await Revoked.RevokeAsync("jti-1", Now.AddMinutes(5), CancellationToken.None);
        await Revoked.RevokeAsync("jti-1", Now.AddMinutes(5), CancellationToken.None);

        Assert.True(await IsRevokedAsync("jti-1"));
    }

    [Fact]
    public async Task Expired_revocations_are_deleted_and_current_ones_kept()
    {
        await Revoked.RevokeAsync("expired", Now.AddMinutes(-1), CancellationToken.None);
        await Revoked.RevokeAsync("current", Now.AddMinutes(1), CancellationToken.None);

        Assert.Equal(1, await Revoked.DeleteExpiredAsync(Now, CancellationToken.None));
        Assert.Equal(0, await Revoked.DeleteExpiredAsync(Now, CancellationToken.None));

        Assert.False(await IsRevokedAsync("expired"));
        Assert.True(await IsRevokedAsync("current"));
    }

    [Fact]
    public async Task Revocations_survive_a_reopen()
    {
        await Revoked.RevokeAsync("jti-1", Now.AddMinutes(5), CancellationToken.None);

        await ReopenAsync();

        Assert.True(await IsRevokedAsync("jti-1"));
    }
}
