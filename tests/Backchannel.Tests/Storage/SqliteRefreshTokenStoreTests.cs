using Backchannel.Protocol;
using Backchannel.Storage;
using Backchannel.Storage.Sqlite;

namespace Backchannel.Tests;

public sealed class SqliteRefreshTokenStoreTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2030, 1, 2, 3, 4, 5, 678, TimeSpan.Zero);

    private readonly TempDatabase _temp = new();
    private readonly SqliteRefreshTokenStore _store;

    public SqliteRefreshTokenStoreTests() => _store = new SqliteRefreshTokenStore(_temp.Database);

    public void Dispose() => _temp.Dispose();

    private static RefreshTokenRecord Token(string token, string family = "family-1", DateTimeOffset? expiresAt = null) => new()
    {
        TokenHash = SecretHash.Compute(token),
        FamilyId = family,
        ClientId = "client-a",
        Subject = "alice",
        Scope = "openid offline_access",
        AuthTime = Now.AddMinutes(-5),
        Acr = "urn:acr:high",
        Amr = ["pwd", "hwk"],
        CreatedAt = Now,
        ExpiresAt = expiresAt ?? Now.AddDays(30),
    };

    private Task InsertAsync(RefreshTokenRecord token) =>
        _temp.Database.WriteAsync(session =>
        {
            SqliteRefreshTokenStore.Insert(session, token);
            return 0;
        });

    private async Task<RefreshTokenRecord> FindAsync(string token)
    {
        var found = await _store.FindAsync(SecretHash.Compute(token), default);
        Assert.NotNull(found);
        return found;
    }

    [Fact]
    public async Task Insert_then_find_round_trips_every_field()
    {
        var token = Token("rt-1");
        await InsertAsync(token);

        var found = await FindAsync("rt-1");

        Assert.Equal(token.TokenHash, found.TokenHash);
        Assert.Equal(token.FamilyId, found.FamilyId);
        Assert.Equal(token.ClientId, found.ClientId);
        Assert.Equal(token.Subject, found.Subject);
        Assert.Equal(token.Scope, found.Scope);
        Assert.Equal(token.AuthTime, found.AuthTime);
        Assert.Equal(token.Acr, found.Acr);
        Assert.Equal(token.Amr, found.Amr);
        Assert.Equal(token.CreatedAt, found.CreatedAt);
        Assert.Equal(token.ExpiresAt, found.ExpiresAt);
        Assert.Null(found.ConsumedAt);
        Assert.Null(found.RevokedAt);
    }

    [Fact]
    public async Task Token_without_acr_and_amr_round_trips_nulls()
    {
        await InsertAsync(Token("rt-1") with { Acr = null, Amr = null });

        var found = await FindAsync("rt-1");

        Assert.Null(found.Acr);
        Assert.Null(found.Amr);
    }

    [Fact]
    public async Task Unknown_token_is_not_found()
    {
        Assert.Null(await _store.FindAsync(SecretHash.Compute("nope"), default));
    }

    [Fact]
    public async Task Rotation_consumes_the_token_and_stores_its_replacement()
    {
        await InsertAsync(Token("rt-1"));

        var outcome = await _store.RotateAsync(SecretHash.Compute("rt-1"), Token("rt-2"), Now.AddMinutes(1), default);

        Assert.Equal(RotationOutcome.Rotated, outcome);
        Assert.Equal(Now.AddMinutes(1), (await FindAsync("rt-1")).ConsumedAt);
        var replacement = await FindAsync("rt-2");
        Assert.Null(replacement.ConsumedAt);
        Assert.Null(replacement.RevokedAt);
    }

    [Fact]
    public async Task Rotating_a_token_twice_is_reuse_and_revokes_the_whole_family()
    {
        await InsertAsync(Token("rt-1"));
        await InsertAsync(Token("other-family", family: "family-2"));
        Assert.Equal(RotationOutcome.Rotated, await _store.RotateAsync(SecretHash.Compute("rt-1"), Token("rt-2"), Now.AddMinutes(1), default));

        var reuse = await _store.RotateAsync(SecretHash.Compute("rt-1"), Token("rt-3"), Now.AddMinutes(2), default);

        Assert.Equal(RotationOutcome.ReuseDetected, reuse);
        Assert.Equal(Now.AddMinutes(2), (await FindAsync("rt-1")).RevokedAt);
        Assert.Equal(Now.AddMinutes(2), (await FindAsync("rt-2")).RevokedAt);
        Assert.Null(await _store.FindAsync(SecretHash.Compute("rt-3"), default));
        Assert.Null((await FindAsync("other-family")).RevokedAt);

        // The replacement the attacker or the client holds is now dead too.
        Assert.Equal(RotationOutcome.Invalid, await _store.RotateAsync(SecretHash.Compute("rt-2"), Token("rt-4"), Now.AddMinutes(3), default));
    }

    [Fact]
    public async Task Concurrent_rotations_of_one_token_rotate_once()
    {
        await InsertAsync(Token("rt-1"));

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => Task.Run(() =>
            _store.RotateAsync(SecretHash.Compute("rt-1"), Token($"rt-next-{i}"), Now.AddMinutes(1), default))));

        Assert.Single(outcomes, o => o == RotationOutcome.Rotated);
        // The second rotation is a reuse that revokes the family; every later one finds the token revoked.
        Assert.Single(outcomes, o => o == RotationOutcome.ReuseDetected);
        Assert.Equal(18, outcomes.Count(o => o == RotationOutcome.Invalid));
        Assert.Equal(2, _temp.Count("refresh_tokens"));
    }

    [Fact]
    public async Task Unknown_revoked_or_expired_tokens_are_invalid()
    {
        await InsertAsync(Token("expired", family: "f-expired", expiresAt: Now));
        await InsertAsync(Token("revoked", family: "f-revoked"));
        await _store.RevokeFamilyAsync("f-revoked", Now, default);

        Assert.Equal(RotationOutcome.Invalid, await _store.RotateAsync(SecretHash.Compute("unknown"), Token("x1"), Now, default));
        Assert.Equal(RotationOutcome.Invalid, await _store.RotateAsync(SecretHash.Compute("expired"), Token("x2"), Now, default));
        Assert.Equal(RotationOutcome.Invalid, await _store.RotateAsync(SecretHash.Compute("revoked"), Token("x3"), Now, default));
        Assert.Equal(2, _temp.Count("refresh_tokens"));
    }

    [Fact]
    public async Task Revoke_family_revokes_only_that_family_and_keeps_the_first_revocation_time()
    {
        await InsertAsync(Token("a1", family: "a"));
        await InsertAsync(Token("a2", family: "a"));
        await InsertAsync(Token("b1", family: "b"));

        await _store.RevokeFamilyAsync("a", Now, default);
        await _store.RevokeFamilyAsync("a", Now.AddHours(1), default);

        Assert.Equal(Now, (await FindAsync("a1")).RevokedAt);
        Assert.Equal(Now, (await FindAsync("a2")).RevokedAt);
        Assert.Null((await FindAsync("b1")).RevokedAt);
    }

    [Fact]
    public async Task Delete_expired_removes_whole_families_once_their_last_token_expired()
    {
        await InsertAsync(Token("old-1", family: "old", expiresAt: Now.AddDays(-2)));
        await InsertAsync(Token("old-2", family: "old", expiresAt: Now.AddDays(-1)));
        await InsertAsync(Token("mixed-1", family: "mixed", expiresAt: Now.AddDays(-2)));
        await InsertAsync(Token("mixed-2", family: "mixed", expiresAt: Now.AddDays(1)));

        var deleted = await _store.DeleteExpiredAsync(Now, default);

        Assert.Equal(2, deleted);
        Assert.Null(await _store.FindAsync(SecretHash.Compute("old-2"), default));
        Assert.NotNull(await _store.FindAsync(SecretHash.Compute("mixed-1"), default));
    }
}
