using System.Security.Cryptography;
using System.Text.Json;
using Backchannel.Abstractions;
using Backchannel.Domain;
using Backchannel.Keys;
using Backchannel.Protocol;
using Backchannel.Tests.Support;
using Backchannel.Tokens;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Backchannel.Tests.Keys;

public sealed class KeyManagerTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);

    [Fact]
    public async Task The_first_refresh_creates_the_active_and_the_next_key_of_each_purpose()
    {
        await using var services = await TestServices.StartAsync(time: _time, seed: false);
        var keys = services.Get<KeyManager>();
        Assert.Throws<InvalidOperationException>(() => keys.Current);
        var now = _time.GetUtcNow();

        await keys.RefreshAsync(None);

        var stored = await services.Get<IKeyStore>().ListAsync(None);
        Assert.Equal(6, stored.Count);
        Assert.All(stored, k => Assert.Null(k.RetainUntil));
        var (activeToken, nextToken) = ActiveAndNext(stored, KeyPurpose.Tokens, SigningAlgorithms.ES256, now);
        var (activeCallback, nextCallback) = ActiveAndNext(stored, KeyPurpose.DeviceCallbacks, SigningAlgorithms.ES256, now);
        var (activeSealing, nextSealing) = ActiveAndNext(stored, KeyPurpose.Sealing, SealingKey.Algorithm, now);
        foreach (var next in new[] { nextToken, nextCallback, nextSealing })
        {
            // The default policy: a key signs for 90 days, and the next one is published from the start.
            Assert.Equal(now.AddDays(90), next.ActivatesAt, TimeSpan.FromMilliseconds(1));
        }

        var ring = keys.Current;
        Assert.Equal(activeToken.KeyId, ring.TokenSigningKey.KeyId);
        Assert.Equal(SigningAlgorithms.ES256, ring.TokenSigningKey.Algorithm);
        Assert.Equal(activeCallback.KeyId, ring.CallbackSigningKey.KeyId);
        Assert.Equal(activeSealing.KeyId, ring.SealingKey.KeyId);
        Assert.NotNull(ring.FindSealingKey(nextSealing.KeyId));

        // /jwks publishes the active and the next keys, token and callback ones, and never a private member.
        Assert.Equal(new[] { activeToken.KeyId, nextToken.KeyId, activeCallback.KeyId, nextCallback.KeyId }.Order(),
            ring.Published.Select(k => k.KeyId).Order());
        Assert.True(ring.Publishes(nextToken.KeyId));
        Assert.Equal(2, ring.VerificationKeys.Count);
        Assert.Equal(2, ring.CallbackVerificationKeys.Count);
        using var jwks = JsonDocument.Parse(ring.JwksJson);
        var published = jwks.RootElement.GetProperty("keys").EnumerateArray().ToList();
        Assert.Equal(4, published.Count);
        Assert.All(published, k => Assert.False(k.TryGetProperty("d", out _)));
        Assert.DoesNotContain(published, k => k.GetProperty("kid").GetString() == activeSealing.KeyId);
    }

    [Fact]
    public async Task A_second_refresh_creates_nothing()
    {
        await using var services = await TestServices.StartAsync(time: _time, seed: false);
        var keys = services.Get<KeyManager>();
        await keys.RefreshAsync(None);
        var first = await services.Get<IKeyStore>().ListAsync(None);
        var ring = keys.Current;

        _time.Advance(TimeSpan.FromHours(1));
        await keys.RefreshAsync(None);
        await NewNode(services).RefreshAsync(None);

        var second = await services.Get<IKeyStore>().ListAsync(None);
        Assert.Equal(first.Select(k => k.KeyId).Order(), second.Select(k => k.KeyId).Order());
        Assert.All(second, k => Assert.Null(k.RetainUntil));
        Assert.Equal(ring.TokenSigningKey.KeyId, keys.Current.TokenSigningKey.KeyId);
        Assert.Equal(ring.CallbackSigningKey.KeyId, keys.Current.CallbackSigningKey.KeyId);
        Assert.Equal(ring.SealingKey.KeyId, keys.Current.SealingKey.KeyId);
    }

    [Fact]
    public async Task Nodes_refreshing_together_over_one_store_create_each_key_once_and_agree()
    {
        await using var services = await TestServices.StartAsync(time: _time, seed: false);
        var nodes = Enumerable.Range(0, 4).Select(_ => NewNode(services)).ToList();

        await Task.WhenAll(nodes.Select(node => Task.Run(() => node.RefreshAsync(None))));

        var stored = await services.Get<IKeyStore>().ListAsync(None);
        Assert.Equal(6, stored.Count);
        Assert.Equal(stored.Count, stored.Select(k => k.KeyId).Distinct().Count());
        Assert.All(nodes, node =>
        {
            Assert.Equal(nodes[0].Current.TokenSigningKey.KeyId, node.Current.TokenSigningKey.KeyId);
            Assert.Equal(nodes[0].Current.CallbackSigningKey.KeyId, node.Current.CallbackSigningKey.KeyId);
            Assert.Equal(nodes[0].Current.SealingKey.KeyId, node.Current.SealingKey.KeyId);
            Assert.Equal(nodes[0].Current.Published.Select(k => k.KeyId).Order(), node.Current.Published.Select(k => k.KeyId).Order());
        });
        Assert.Contains(stored, k => k.KeyId == nodes[0].Current.TokenSigningKey.KeyId);
    }

    [Fact]
    public async Task A_key_for_another_algorithm_is_created_on_demand_and_the_other_node_finds_it_after_a_reload()
    {
        await using var services = await TestServices.StartAsync(time: _time);
        var nodeA = services.Get<KeyManager>();
        var nodeB = NewNode(services);
        await nodeB.RefreshAsync(None);

        var key = await nodeA.TokenSigningKeyAsync(SigningAlgorithms.PS256, None);

        Assert.NotNull(key);
        Assert.Equal(SigningAlgorithms.PS256, key!.Algorithm);
        Assert.True(key.ActivatesAt <= _time.GetUtcNow());
        Assert.True(nodeA.Current.Publishes(key.KeyId));
        Assert.Equal(SigningAlgorithms.ES256, nodeA.Current.TokenSigningKey.Algorithm);
        var ps256 = (await services.Get<IKeyStore>().ListAsync(None)).Where(k => k.Algorithm == SigningAlgorithms.PS256).ToList();
        Assert.Equal(2, ps256.Count);
        Assert.All(ps256, k => Assert.Equal(KeyPurpose.Tokens, k.Purpose));
        Assert.Same(key, await nodeA.TokenSigningKeyAsync(SigningAlgorithms.PS256, None));

        // Node B has not seen it; it reads the store again for an unknown key id, but not more than every 5 seconds.
        Assert.Null(nodeB.Current.TokenSigningKeyFor(SigningAlgorithms.PS256));
        Assert.False(nodeB.Current.Publishes(key.KeyId));
        Assert.False(await nodeB.ReloadIfUnknownAsync(ring => ring.Publishes(key.KeyId), None));
        _time.Advance(KeyManager.MinReloadInterval);
        Assert.True(await nodeB.ReloadIfUnknownAsync(ring => ring.Publishes(key.KeyId), None));
        Assert.Equal(key.KeyId, nodeB.Current.TokenSigningKeyFor(SigningAlgorithms.PS256)?.KeyId);
        Assert.Equal(key.KeyId, (await nodeB.TokenSigningKeyAsync(SigningAlgorithms.PS256, None))?.KeyId);
        Assert.Equal(2, (await services.Get<IKeyStore>().ListAsync(None)).Count(k => k.Algorithm == SigningAlgorithms.PS256));
    }

    [Fact]
    public async Task An_algorithm_the_provider_does_not_sign_with_gets_no_key()
    {
        await using var services = await TestServices.StartAsync(time: _time);
        var keys = services.Get<KeyManager>();
        var before = (await services.Get<IKeyStore>().ListAsync(None)).Count;

        Assert.Null(await keys.TokenSigningKeyAsync(SigningAlgorithms.ES384, None));
        Assert.Null(await keys.TokenSigningKeyAsync("HS256", None));

        Assert.Equal(before, (await services.Get<IKeyStore>().ListAsync(None)).Count);
    }

    [Fact]
    public async Task After_the_rotation_period_the_next_key_signs_and_the_old_one_stays_published_until_the_retention_ends()
    {
        await using var services = await StartWithRotationScheduleAsync();
        var keys = services.Get<KeyManager>();
        var store = services.Get<IKeyStore>();
        var start = _time.GetUtcNow();
        var (first, next) = ActiveAndNext(await store.ListAsync(None), KeyPurpose.Tokens, SigningAlgorithms.ES256, start);
        var (firstCallback, nextCallback) = ActiveAndNext(await store.ListAsync(None), KeyPurpose.DeviceCallbacks, SigningAlgorithms.ES256, start);
        var (firstSealing, nextSealing) = ActiveAndNext(await store.ListAsync(None), KeyPurpose.Sealing, SealingKey.Algorithm, start);
        Assert.Equal(start.AddDays(10), next.ActivatesAt, TimeSpan.FromMilliseconds(1));
        var oldToken = await IssueAccessTokenAsync(services);
        Assert.Equal(first.KeyId, new JsonWebToken(oldToken).Kid);

        _time.Advance(TimeSpan.FromDays(10) + TimeSpan.FromHours(1));
        await keys.RefreshAsync(None);

        var ring = keys.Current;
        Assert.Equal(next.KeyId, ring.TokenSigningKey.KeyId);
        Assert.Equal(nextCallback.KeyId, ring.CallbackSigningKey.KeyId);
        Assert.Equal(nextSealing.KeyId, ring.SealingKey.KeyId);
        Assert.Equal(next.KeyId, new JsonWebToken(await IssueAccessTokenAsync(services)).Kid);

        // The old keys are retired, still published (and the old sealing key still opens what it sealed).
        var stored = await store.ListAsync(None);
        var retired = stored.Single(k => k.KeyId == first.KeyId);
        Assert.Equal(next.ActivatesAt.AddDays(5), retired.RetainUntil!.Value, TimeSpan.FromMilliseconds(1));
        Assert.True(ring.Publishes(first.KeyId));
        Assert.True(ring.Publishes(firstCallback.KeyId));
        Assert.NotNull(ring.FindSealingKey(firstSealing.KeyId));
        Assert.True(await VerifiesAsync(oldToken, ring));

        // A new next key is published ahead of its time.
        var newNext = stored.Single(k => k.Purpose == KeyPurpose.Tokens && k.ActivatesAt > _time.GetUtcNow());
        Assert.Equal(next.ActivatesAt.AddDays(10), newNext.ActivatesAt, TimeSpan.FromMilliseconds(1));
        Assert.True(ring.Publishes(newNext.KeyId));
        Assert.Equal(9, stored.Count);

        // Past the retention the old keys go.
        _time.Advance(TimeSpan.FromDays(5));
        await keys.RefreshAsync(None);

        ring = keys.Current;
        var remaining = await store.ListAsync(None);
        Assert.DoesNotContain(remaining, k => k.KeyId == first.KeyId || k.KeyId == firstCallback.KeyId || k.KeyId == firstSealing.KeyId);
        Assert.False(ring.Publishes(first.KeyId));
        Assert.False(ring.Publishes(firstCallback.KeyId));
        Assert.Null(ring.FindSealingKey(firstSealing.KeyId));
        Assert.False(await VerifiesAsync(oldToken, ring));
        Assert.Equal(next.KeyId, ring.TokenSigningKey.KeyId);
        Assert.Equal(6, remaining.Count);
    }

    [Fact]
    public async Task Token_keys_from_pem_files_sign_the_tokens_and_none_are_generated()
    {
        using var signing = RSA.Create(2048);
        using var nextSigning = RSA.Create(2048);
        var signingFile = Path.Combine(Path.GetTempPath(), $"backchannel-key-{Guid.NewGuid():N}.pem");
        var nextFile = Path.Combine(Path.GetTempPath(), $"backchannel-key-{Guid.NewGuid():N}.pem");
        await File.WriteAllTextAsync(signingFile, signing.ExportPkcs8PrivateKeyPem());
        await File.WriteAllTextAsync(nextFile, nextSigning.ExportRSAPrivateKeyPem());

        await using var services = await TestServices.StartAsync(new Dictionary<string, string?>
        {
            ["Tokens:SigningAlgorithm"] = SigningAlgorithms.RS256,
            ["Tokens:SigningKeyFile"] = signingFile,
            ["Tokens:NextSigningKeyFile"] = nextFile,
        }, _time, deleteOnDispose: [signingFile, nextFile]);
        var keys = services.Get<KeyManager>();

        var ring = keys.Current;
        Assert.Equal(SigningAlgorithms.RS256, ring.TokenSigningKey.Algorithm);
        Assert.Equal(signing.ExportParameters(false).Modulus, ((RSA)ring.TokenSigningKey.Key).ExportParameters(false).Modulus);
        var nextKey = Assert.Single(ring.Published, k => k.Purpose == KeyPurpose.Tokens && k.KeyId != ring.TokenSigningKey.KeyId);
        Assert.Equal(nextSigning.ExportParameters(false).Modulus, ((RSA)nextKey.Key).ExportParameters(false).Modulus);

        var token = await IssueAccessTokenAsync(services);
        var result = await new JsonWebTokenHandler().ValidateTokenAsync(token, new TokenValidationParameters
        {
            ValidIssuer = TestServices.Issuer,
            ValidAudience = TestServices.Issuer,
            IssuerSigningKey = new RsaSecurityKey(signing.ExportParameters(false)),
            ValidAlgorithms = [SigningAlgorithms.RS256],
            TryAllIssuerSigningKeys = true,
            ValidateLifetime = false,
        });
        Assert.True(result.IsValid, result.Exception?.Message);

        // The store holds only the generated callback and sealing keys, and no other algorithm can be served.
        await keys.RefreshAsync(None);
        var stored = await services.Get<IKeyStore>().ListAsync(None);
        Assert.DoesNotContain(stored, k => k.Purpose == KeyPurpose.Tokens);
        Assert.Equal(4, stored.Count);
        Assert.Null(await keys.TokenSigningKeyAsync(SigningAlgorithms.ES256, None));
        Assert.Null(await keys.TokenSigningKeyAsync(SigningAlgorithms.PS256, None));
        Assert.DoesNotContain(await services.Get<IKeyStore>().ListAsync(None), k => k.Purpose == KeyPurpose.Tokens);
    }

    [Fact]
    public async Task The_pairwise_subject_key_is_created_once_when_first_needed_and_every_node_reads_the_same()
    {
        await using var services = await TestServices.StartAsync(time: _time);
        var store = services.Get<IKeyStore>();
        Assert.DoesNotContain(await store.ListAsync(None), k => k.Purpose == KeyPurpose.PairwiseSubjects);
        var nodes = Enumerable.Range(0, 4).Select(_ => NewNode(services)).ToList();

        var keys = await Task.WhenAll(nodes.Select(node => Task.Run(async () => await node.PairwiseSubjectKeyAsync(None))));

        var stored = Assert.Single(await store.ListAsync(None), k => k.Purpose == KeyPurpose.PairwiseSubjects);
        Assert.Equal(PairwiseSubjectIdentifier.KeySize, keys[0].Length);
        Assert.All(keys, key => Assert.Equal(keys[0], key));
        Assert.True(KeyMaterialProtector.IsProtected(stored.PrivateKey));
        Assert.True(stored.PrivateKey.AsSpan().IndexOf(keys[0]) < 0, "the stored material holds the key in clear");

        // A node that starts later (a restart) reads the same key.
        Assert.Equal(keys[0], await NewNode(services).PairwiseSubjectKeyAsync(None));
    }

    [Fact]
    public async Task The_pairwise_subject_key_is_never_rotated_retired_or_published()
    {
        await using var services = await StartWithRotationScheduleAsync();
        var keys = services.Get<KeyManager>();
        var key = await keys.PairwiseSubjectKeyAsync(None);
        var stored = Assert.Single(await services.Get<IKeyStore>().ListAsync(None), k => k.Purpose == KeyPurpose.PairwiseSubjects);

        for (var day = 0; day < 60; day++)
        {
            _time.Advance(TimeSpan.FromDays(1));
            await keys.RefreshAsync(None);
        }

        var after = Assert.Single(await services.Get<IKeyStore>().ListAsync(None), k => k.Purpose == KeyPurpose.PairwiseSubjects);
        Assert.Equal(stored.KeyId, after.KeyId);
        Assert.Null(after.RetainUntil);
        Assert.Equal(key, await NewNode(services).PairwiseSubjectKeyAsync(None));
        Assert.False(keys.Current.Publishes(stored.KeyId));
        Assert.DoesNotContain(stored.KeyId, System.Text.Encoding.UTF8.GetString(keys.Current.JwksJson), StringComparison.Ordinal);
    }

    /// <summary>Another node over the same store: its own key manager, sharing the store and its lock.</summary>
    /// <summary>Keys rotated every 10 days, published 2 days before they sign, and kept 5 days after.</summary>
    private Task<TestServices> StartWithRotationScheduleAsync() => TestServices.StartAsync(new Dictionary<string, string?>
    {
        ["Tokens:KeyRotationDays"] = "10",
        ["Tokens:KeyPrePublicationDays"] = "2",
        ["Tokens:KeyRetentionDays"] = "5",
    }, _time);

    internal static KeyManager NewNode(TestServices services) => ActivatorUtilities.CreateInstance<KeyManager>(services.Services);

    private static (StoredKey Active, StoredKey Next) ActiveAndNext(IReadOnlyList<StoredKey> stored, KeyPurpose purpose, string algorithm,
        DateTimeOffset now)
    {
        var mine = stored.Where(k => k.Purpose == purpose && k.Algorithm == algorithm && k.RetainUntil is null).ToList();
        Assert.Equal(2, mine.Count);
        return (Assert.Single(mine, k => k.ActivatesAt <= now), Assert.Single(mine, k => k.ActivatesAt > now));
    }

    private async Task<string> IssueAccessTokenAsync(TestServices services) =>
        (await services.Get<TokenIssuer>().IssueAsync(new TokenGrant
        {
            ClientId = "client-a",
            Subject = "alice",
            Scope = "openid",
            AuthTime = _time.GetUtcNow(),
        }, None)).AccessToken;

    private static async Task<bool> VerifiesAsync(string token, KeyRing ring) =>
        (await new JsonWebTokenHandler().ValidateTokenAsync(token, new TokenValidationParameters
        {
            ValidIssuer = TestServices.Issuer,
            ValidAudience = TestServices.Issuer,
            IssuerSigningKeys = ring.VerificationKeys,
            ValidateLifetime = false,
        })).IsValid;
}
