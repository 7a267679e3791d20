using Backchannel.Abstractions;
using Backchannel.Domain;
using Backchannel.Protocol;

namespace Backchannel.Tests.Storage.Contract;

/// <summary>
/// The contract of <see cref="IRefreshTokenStore"/>: rotation once, reuse detection revoking the family, expiry. Tokens
/// enter the store the way the provider stores them: with the redemption of an approved request, or as a replacement.
/// </summary>
public abstract class RefreshTokenStoreContract : StoreContract
{
    private IRefreshTokenStore Tokens => Stores.RefreshTokens;

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

    /// <summary>Stores <paramref name="token"/> as the redemption of a new approved request stores it.</summary>
    private async Task IssueAsync(RefreshTokenRecord token)
    {
        var request = await ApprovedAsync();
        Assert.True(await Requests.RedeemAsync(request.Id, Now, token, CancellationToken.None));
    }

    private Task<RotationOutcome> RotateAsync(string token, string replacement, DateTimeOffset at, string family = "family-1") =>
        Tokens.RotateAsync(SecretHash.Compute(token), Token(replacement, family), at, CancellationToken.None);

    private async Task<RefreshTokenRecord> FindAsync(string token)
    {
        var found = await Tokens.FindAsync(SecretHash.Compute(token), CancellationToken.None);
        Assert.NotNull(found);
        return found;
    }

    private async Task<bool> ExistsAsync(string token) => await Tokens.FindAsync(SecretHash.Compute(token), CancellationToken.None) is not null;

    [Fact]
    public async Task Issued_token_is_found_with_every_field()
    {
        var token = Token("rt-1");
        await IssueAsync(token);

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
        await IssueAsync(Token("rt-1") with { Acr = null, Amr = null });

        var found = await FindAsync("rt-1");

        Assert.Null(found.Acr);
        Assert.Null(found.Amr);
        Assert.Null(found.AuthorizationDetails);
    }

    [Fact]
    public async Task Authorization_details_round_trip_when_issued_and_when_rotated()
    {
        const string details = """[{"type":"payment_initiation","instructedAmount":{"currency":"EUR","amount":"123.50"}}]""";
        await IssueAsync(Token("rt-1") with { AuthorizationDetails = details });

        Assert.Equal(details, (await FindAsync("rt-1")).AuthorizationDetails);

        var replacement = Token("rt-2") with { AuthorizationDetails = details };
        Assert.Equal(RotationOutcome.Rotated, await Tokens.RotateAsync(SecretHash.Compute("rt-1"), replacement, Now.AddMinutes(1), CancellationToken.None));
        Assert.Equal(details, (await FindAsync("rt-2")).AuthorizationDetails);
    }

    [Fact]
    public async Task Revoking_by_a_token_of_its_client_revokes_the_whole_family_once()
    {
        await IssueAsync(Token("rt-1"));
        await IssueAsync(Token("other-family", family: "family-2"));
        Assert.Equal(RotationOutcome.Rotated, await RotateAsync("rt-1", "rt-2", Now.AddMinutes(1)));
        Assert.Equal(RotationOutcome.Rotated, await RotateAsync("rt-2", "rt-3", Now.AddMinutes(2)));

        // Any token of the family names it, a consumed one too.
        Assert.Equal(3, await Tokens.RevokeFamilyOfTokenAsync(SecretHash.Compute("rt-2"), "client-a", Now.AddMinutes(3), CancellationToken.None));

        foreach (var token in new[] { "rt-1", "rt-2", "rt-3" })
        {
            Assert.Equal(Now.AddMinutes(3), (await FindAsync(token)).RevokedAt);
        }

        Assert.True(await Tokens.IsFamilyRevokedAsync("family-1", CancellationToken.None));
        Assert.Null((await FindAsync("other-family")).RevokedAt);
        Assert.Equal(RotationOutcome.Invalid, await RotateAsync("rt-3", "rt-4", Now.AddMinutes(4)));

        // Already revoked: nothing changes, the first revocation time stays.
        Assert.Equal(0, await Tokens.RevokeFamilyOfTokenAsync(SecretHash.Compute("rt-3"), "client-a", Now.AddMinutes(5), CancellationToken.None));
        Assert.Equal(Now.AddMinutes(3), (await FindAsync("rt-3")).RevokedAt);
    }

    [Fact]
    public async Task Revoking_by_another_clients_or_an_unknown_token_revokes_nothing()
    {
        await IssueAsync(Token("rt-1"));

        Assert.Equal(0, await Tokens.RevokeFamilyOfTokenAsync(SecretHash.Compute("rt-1"), "client-b", Now, CancellationToken.None));
        Assert.Equal(0, await Tokens.RevokeFamilyOfTokenAsync(SecretHash.Compute("unknown"), "client-a", Now, CancellationToken.None));

        Assert.Null((await FindAsync("rt-1")).RevokedAt);
        Assert.False(await Tokens.IsFamilyRevokedAsync("family-1", CancellationToken.None));
        Assert.Equal(RotationOutcome.Rotated, await RotateAsync("rt-1", "rt-2", Now.AddMinutes(1)));
    }

    [Fact]
    public async Task Unknown_token_is_not_found()
    {
        await IssueAsync(Token("rt-1"));

        Assert.Null(await Tokens.FindAsync(SecretHash.Compute("nope"), CancellationToken.None));
    }

    [Fact]
    public async Task Tokens_survive_a_reopen()
    {
        await IssueAsync(Token("rt-1"));

        await ReopenAsync();

        Assert.Equal("family-1", (await FindAsync("rt-1")).FamilyId);
    }

    [Fact]
    public async Task Rotation_consumes_the_token_and_stores_its_replacement()
    {
        await IssueAsync(Token("rt-1"));

        var outcome = await RotateAsync("rt-1", "rt-2", Now.AddMinutes(1));

        Assert.Equal(RotationOutcome.Rotated, outcome);
        Assert.Equal(Now.AddMinutes(1), (await FindAsync("rt-1")).ConsumedAt);
        var replacement = await FindAsync("rt-2");
        Assert.Equal("family-1", replacement.FamilyId);
        Assert.Equal(["pwd", "hwk"], replacement.Amr);
        Assert.Null(replacement.ConsumedAt);
        Assert.Null(replacement.RevokedAt);
    }

    [Fact]
    public async Task Each_replacement_rotates_in_turn()
    {
        await IssueAsync(Token("rt-1"));

        Assert.Equal(RotationOutcome.Rotated, await RotateAsync("rt-1", "rt-2", Now.AddMinutes(1)));
        Assert.Equal(RotationOutcome.Rotated, await RotateAsync("rt-2", "rt-3", Now.AddMinutes(2)));
        Assert.Equal(RotationOutcome.Rotated, await RotateAsync("rt-3", "rt-4", Now.AddMinutes(3)));

        Assert.Null((await FindAsync("rt-4")).ConsumedAt);
        Assert.Equal(Now.AddMinutes(2), (await FindAsync("rt-2")).ConsumedAt);
    }

    [Fact]
    public async Task Rotating_a_consumed_token_is_reuse_and_revokes_the_whole_family()
    {
        await IssueAsync(Token("rt-1"));
        await IssueAsync(Token("other-family", family: "family-2"));
        Assert.Equal(RotationOutcome.Rotated, await RotateAsync("rt-1", "rt-2", Now.AddMinutes(1)));
        Assert.Equal(RotationOutcome.Rotated, await RotateAsync("rt-2", "rt-3", Now.AddMinutes(2)));

        var reuse = await RotateAsync("rt-1", "rt-x", Now.AddMinutes(3));

        Assert.Equal(RotationOutcome.ReuseDetected, reuse);
        foreach (var token in new[] { "rt-1", "rt-2", "rt-3" })
        {
            Assert.Equal(Now.AddMinutes(3), (await FindAsync(token)).RevokedAt);
        }

        Assert.False(await ExistsAsync("rt-x"));
        Assert.Null((await FindAsync("other-family")).RevokedAt);

        // Every token of the family is dead now, the current one (which the attacker or the client holds) too.
        Assert.Equal(RotationOutcome.Invalid, await RotateAsync("rt-3", "rt-y", Now.AddMinutes(4)));
        Assert.Equal(RotationOutcome.Invalid, await RotateAsync("rt-2", "rt-z", Now.AddMinutes(4)));
        Assert.Equal(RotationOutcome.Invalid, await RotateAsync("rt-1", "rt-w", Now.AddMinutes(4)));
        Assert.False(await ExistsAsync("rt-y"));
        Assert.False(await ExistsAsync("rt-z"));
        Assert.False(await ExistsAsync("rt-w"));
        Assert.Equal(RotationOutcome.Rotated, await RotateAsync("other-family", "other-2", Now.AddMinutes(4), "family-2"));
    }

    [Fact]
    public async Task Concurrent_rotations_of_one_token_rotate_once()
    {
        await IssueAsync(Token("rt-1"));

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => Task.Run(() => RotateAsync("rt-1", $"rt-next-{i}", Now.AddMinutes(1)))));

        Assert.Single(outcomes, o => o == RotationOutcome.Rotated);
        Assert.All(outcomes, o => Assert.True(o is RotationOutcome.Rotated or RotationOutcome.ReuseDetected or RotationOutcome.Invalid));
        // The losers came after the winner consumed the token: the first of them at least is a reuse, which revokes the family.
        Assert.Contains(RotationOutcome.ReuseDetected, outcomes);
        var stored = new List<RefreshTokenRecord>();
        for (var i = 0; i < outcomes.Length; i++)
        {
            if (await Tokens.FindAsync(SecretHash.Compute($"rt-next-{i}"), CancellationToken.None) is { } replacement)
            {
                stored.Add(replacement);
            }
        }

        var winner = Assert.Single(stored);
        Assert.NotNull(winner.RevokedAt);
        Assert.NotNull((await FindAsync("rt-1")).RevokedAt);
    }

    [Fact]
    public async Task Unknown_revoked_or_expired_tokens_are_invalid_and_store_no_replacement()
    {
        await IssueAsync(Token("expired", family: "f-expired", expiresAt: Now));
        await IssueAsync(Token("revoked", family: "f-revoked"));
        await Tokens.RevokeFamilyAsync("f-revoked", Now, CancellationToken.None);

        Assert.Equal(RotationOutcome.Invalid, await RotateAsync("unknown", "x1", Now));
        Assert.Equal(RotationOutcome.Invalid, await RotateAsync("expired", "x2", Now));
        Assert.Equal(RotationOutcome.Invalid, await RotateAsync("expired", "x3", Now.AddDays(1)));
        Assert.Equal(RotationOutcome.Invalid, await RotateAsync("revoked", "x4", Now));

        foreach (var replacement in new[] { "x1", "x2", "x3", "x4" })
        {
            Assert.False(await ExistsAsync(replacement));
        }

        Assert.Null((await FindAsync("expired")).ConsumedAt);
        Assert.Null((await FindAsync("revoked")).ConsumedAt);
    }

    [Fact]
    public async Task A_rotation_whose_replacement_cannot_be_stored_does_not_consume_the_token()
    {
        await IssueAsync(Token("rt-1"));
        await IssueAsync(Token("taken", family: "family-2"));

        await Assert.ThrowsAnyAsync<Exception>(() => RotateAsync("rt-1", "taken", Now.AddMinutes(1)));

        Assert.Null((await FindAsync("rt-1")).ConsumedAt);
        Assert.Equal("family-2", (await FindAsync("taken")).FamilyId);
        Assert.Equal(RotationOutcome.Rotated, await RotateAsync("rt-1", "rt-2", Now.AddMinutes(2)));
    }

    [Fact]
    public async Task Token_just_before_its_expiry_rotates()
    {
        await IssueAsync(Token("rt-1", expiresAt: Now.AddMinutes(1)));

        Assert.Equal(RotationOutcome.Rotated, await RotateAsync("rt-1", "rt-2", Now.AddMinutes(1).AddMilliseconds(-1)));
    }

    [Fact]
    public async Task Revoke_family_revokes_only_that_family_and_keeps_the_first_revocation_time()
    {
        await IssueAsync(Token("a1", family: "a"));
        await IssueAsync(Token("a2", family: "a"));
        await IssueAsync(Token("b1", family: "b"));

        await Tokens.RevokeFamilyAsync("a", Now, CancellationToken.None);
        await Tokens.RevokeFamilyAsync("a", Now.AddHours(1), CancellationToken.None);
        await Tokens.RevokeFamilyAsync("unknown", Now, CancellationToken.None);

        Assert.Equal(Now, (await FindAsync("a1")).RevokedAt);
        Assert.Equal(Now, (await FindAsync("a2")).RevokedAt);
        Assert.Null((await FindAsync("b1")).RevokedAt);
        Assert.Equal(RotationOutcome.Invalid, await RotateAsync("a1", "a3", Now.AddMinutes(1), "a"));
    }

    [Fact]
    public async Task Delete_expired_removes_whole_families_once_their_last_token_expired()
    {
        await IssueAsync(Token("old-1", family: "old", expiresAt: Now.AddDays(-2)));
        await IssueAsync(Token("old-2", family: "old", expiresAt: Now.AddDays(-1)));
        await IssueAsync(Token("mixed-1", family: "mixed", expiresAt: Now.AddDays(-2)));
        await IssueAsync(Token("mixed-2", family: "mixed", expiresAt: Now.AddDays(1)));
        await IssueAsync(Token("live", family: "live"));

        var deleted = await Tokens.DeleteExpiredAsync(Now, CancellationToken.None);

        Assert.Equal(2, deleted);
        Assert.False(await ExistsAsync("old-1"));
        Assert.False(await ExistsAsync("old-2"));
        Assert.True(await ExistsAsync("mixed-1"));
        Assert.True(await ExistsAsync("mixed-2"));
        Assert.True(await ExistsAsync("live"));
        Assert.Equal(0, await Tokens.DeleteExpiredAsync(Now, CancellationToken.None));
    }
}
