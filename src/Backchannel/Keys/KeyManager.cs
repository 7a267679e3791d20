using System.Security.Cryptography;
using Backchannel.Abstractions;
using Backchannel.Domain;
using Backchannel.Protocol;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Backchannel.Keys;

/// <summary>
/// Owns the provider's keys: signing keys from PEM files or the store, and sealing keys. Stored keys are created,
/// rotated and removed under the store lock <see cref="StoreLocks.Keys"/>, so that nodes starting together create them
/// once; every node reads them back from the store, and reads again when it meets a key id it does not know (a key
/// another node created since).
/// </summary>
public sealed partial class KeyManager(
    IKeyStore store,
    IStoreLock storeLock,
    KeyMaterialProtector protector,
    IOptions<KeyOptions> options,
    TimeProvider time,
    ILogger<KeyManager> logger)
{
    /// <summary>How often an unknown key id may trigger a read of the store (against floods of forged key ids).</summary>
    public static readonly TimeSpan MinReloadInterval = TimeSpan.FromSeconds(5);

    private readonly SemaphoreSlim _refreshLock = new(1, 1);
    private KeyRing? _ring;
    private DateTimeOffset _loadedAt = DateTimeOffset.MinValue;
    private byte[]? _pairwiseSubjectKey;

    public KeyRing Current => _ring ?? throw new InvalidOperationException("The signing keys are not loaded yet.");

    /// <summary>Applies the rotation policy to the store (under the store lock) and reloads the ring.</summary>
    public Task RefreshAsync(CancellationToken cancellationToken) => RefreshAsync([], cancellationToken);

    /// <summary>
    /// Makes sure the ring has an active token key of <paramref name="algorithm"/> (a client's id_token_signed_response_alg),
    /// creating it if needed; null if the algorithm cannot be served (keys come from files).
    /// </summary>
    public async ValueTask<SigningKey?> TokenSigningKeyAsync(string algorithm, CancellationToken cancellationToken)
    {
        if (Current.TokenSigningKeyFor(algorithm) is { } key)
        {
            return key;
        }

        if (!options.Value.AvailableTokenAlgorithms.Contains(algorithm))
        {
            return null;
        }

        await RefreshAsync([algorithm], cancellationToken);
        return Current.TokenSigningKeyFor(algorithm);
    }

    /// <summary>
    /// The secret pairwise subject identifiers are derived with: read from the store, or created there once (under the
    /// store lock, so that nodes starting together create one) when the first pairwise client needs it. It is never
    /// rotated, so every node, before and after a restart, derives the same values; like every stored key it is
    /// protected with Data Protection.
    /// </summary>
    public async ValueTask<byte[]> PairwiseSubjectKeyAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _pairwiseSubjectKey) is { } known)
        {
            return known;
        }

        await _refreshLock.WaitAsync(cancellationToken);
        try
        {
            if (_pairwiseSubjectKey is null)
            {
                var stored = PairwiseSubjectKeyOf(await store.ListAsync(cancellationToken));
                if (stored is null)
                {
                    await using (await storeLock.AcquireAsync(StoreLocks.Keys, cancellationToken))
                    {
                        stored = PairwiseSubjectKeyOf(await store.ListAsync(cancellationToken));
                        if (stored is null)
                        {
                            var now = time.GetUtcNow();
                            stored = new StoredKey(RandomIdentifiers.New(9), PairwiseSubjectKeyAlgorithm, KeyPurpose.PairwiseSubjects,
                                protector.Protect(RandomNumberGenerator.GetBytes(PairwiseSubjectIdentifier.KeySize)), now, now, null);
                            await store.AddAsync(stored, cancellationToken);
                            Log.PairwiseSubjectKeyCreated(logger, stored.KeyId);
                        }
                    }
                }

                Volatile.Write(ref _pairwiseSubjectKey, protector.Unprotect(stored.PrivateKey));
            }

            return _pairwiseSubjectKey!;
        }
        finally
        {
            _refreshLock.Release();
        }
    }

    /// <summary>The algorithm the pairwise derivation key is stored under.</summary>
    public const string PairwiseSubjectKeyAlgorithm = "HS256";

    /// <summary>The first pairwise derivation key stored (there is one; should two ever be, every node takes the same).</summary>
    private static StoredKey? PairwiseSubjectKeyOf(IReadOnlyList<StoredKey> stored) =>
        stored.Where(k => k.Purpose == KeyPurpose.PairwiseSubjects)
            .OrderBy(k => k.CreatedAt).ThenBy(k => k.KeyId, StringComparer.Ordinal).FirstOrDefault();

    /// <summary>Reads the keys again when <paramref name="keyId"/> is unknown (at most every <see cref="MinReloadInterval"/>); whether it is known now.</summary>
    public async ValueTask<bool> ReloadIfUnknownAsync(Func<KeyRing, bool> known, CancellationToken cancellationToken)
    {
        if (known(Current))
        {
            return true;
        }

        if (time.GetUtcNow() - _loadedAt < MinReloadInterval)
        {
            return false;
        }

        await _refreshLock.WaitAsync(cancellationToken);
        try
        {
            if (!known(Current) && time.GetUtcNow() - _loadedAt >= MinReloadInterval)
            {
                var stored = await store.ListAsync(cancellationToken);
                Load(stored, StoredTokenAlgorithms(stored));
            }
        }
        finally
        {
            _refreshLock.Release();
        }

        return known(Current);
    }

    private async Task RefreshAsync(IReadOnlyCollection<string> moreAlgorithms, CancellationToken cancellationToken)
    {
        await _refreshLock.WaitAsync(cancellationToken);
        try
        {
            var stored = await store.ListAsync(cancellationToken);
            var algorithms = StoredTokenAlgorithms(stored).Union(moreAlgorithms).ToList();
            if (!Plan(stored, algorithms).IsEmpty || stored.Any(k => !KeyMaterialProtector.IsProtected(k.PrivateKey)))
            {
                // Another node may be doing the same: plan again under the lock, on what the store holds then.
                await using (await storeLock.AcquireAsync(StoreLocks.Keys, cancellationToken))
                {
                    stored = await store.ListAsync(cancellationToken);
                    var plan = Plan(stored, algorithms);
                    if (!plan.IsEmpty)
                    {
                        await ApplyAsync(plan, cancellationToken);
                    }

                    // Keys an earlier version stored in clear are protected now.
                    foreach (var key in stored.Where(k => !KeyMaterialProtector.IsProtected(k.PrivateKey)))
                    {
                        await store.ReplaceMaterialAsync(key.KeyId, protector.Protect(key.PrivateKey), cancellationToken);
                    }

                    stored = await store.ListAsync(cancellationToken);
                }
            }

            Load(stored, algorithms);
        }
        finally
        {
            _refreshLock.Release();
        }
    }

    /// <summary>The default algorithm, and every algorithm the store has an unretired token key of (created for a client).</summary>
    private IEnumerable<string> StoredTokenAlgorithms(IReadOnlyList<StoredKey> stored)
    {
        var settings = options.Value;
        var algorithms = new List<string> { settings.SigningAlgorithm };
        if (!settings.KeysFromFiles)
        {
            algorithms.AddRange(stored.Where(k => k.Purpose == KeyPurpose.Tokens && k.RetainUntil is null).Select(k => k.Algorithm));
        }

        return algorithms.Distinct();
    }

    private KeyRotationPlan Plan(IReadOnlyList<StoredKey> stored, IReadOnlyList<string> tokenAlgorithms) =>
        KeyRotationPlanner.Plan(Schedules(stored), [(KeyPurpose.Sealing, SealingKey.Algorithm), .. SigningKeysWanted(tokenAlgorithms)],
            time.GetUtcNow(), Policy());

    /// <summary>The generated signing keys the provider keeps: the callback key, and a token key per algorithm unless they come from files.</summary>
    private List<(KeyPurpose, string)> SigningKeysWanted(IEnumerable<string> tokenAlgorithms)
    {
        var wanted = new List<(KeyPurpose, string)> { (KeyPurpose.DeviceCallbacks, SigningAlgorithms.ES256) };
        if (!options.Value.KeysFromFiles)
        {
            wanted.AddRange(tokenAlgorithms.Select(a => (KeyPurpose.Tokens, a)));
        }

        return wanted;
    }

    /// <summary>The keys the planner rotates: the pairwise derivation key is never rotated, so the planner does not see it.</summary>
    private static List<KeySchedule> Schedules(IReadOnlyList<StoredKey> stored) =>
        stored.Where(k => k.Purpose != KeyPurpose.PairwiseSubjects)
            .Select(k => new KeySchedule(k.KeyId, k.Algorithm, k.Purpose, k.ActivatesAt, k.RetainUntil)).ToList();

    private KeyRotationPolicy Policy()
    {
        var settings = options.Value;
        return new KeyRotationPolicy(TimeSpan.FromDays(settings.KeyRotationDays), TimeSpan.FromDays(settings.KeyPrePublicationDays),
            TimeSpan.FromDays(settings.KeyRetentionDays));
    }

    /// <summary>
    /// Rotates the generated signing keys now (an operator, through the admin API): for the device callback key and each
    /// token key algorithm in use, the published next key starts signing, the key it replaces is retired (still published
    /// for <c>Tokens:KeyRetentionDays</c>) and a new next key is published. Done under the store lock: one rotation per
    /// call, whichever node serves it. This node signs with the new keys at once; the others when they next read the keys
    /// (the hourly key check, or a token signed with a key they do not know).
    /// </summary>
    public async Task<IReadOnlyList<KeyRotation>> RotateNowAsync(CancellationToken cancellationToken)
    {
        await _refreshLock.WaitAsync(cancellationToken);
        try
        {
            await using (await storeLock.AcquireAsync(StoreLocks.Keys, cancellationToken))
            {
                var stored = await store.ListAsync(cancellationToken);
                var algorithms = StoredTokenAlgorithms(stored).ToList();
                var rotation = KeyRotationPlanner.RotateNow(Schedules(stored), SigningKeysWanted(algorithms), time.GetUtcNow(), Policy());
                await ApplyAsync(rotation, cancellationToken);
                // What the planner retired, told per key it activated (the keys of the same purpose and algorithm).
                var retired = rotation.Retire.Select(r => r.KeyId).ToHashSet(StringComparer.Ordinal);
                var rotated = rotation.Activate.Select(activated =>
                {
                    var key = stored.Single(k => k.KeyId == activated.KeyId);
                    return new KeyRotation(key.Purpose, key.Algorithm, key.KeyId,
                        stored.Where(k => k.Purpose == key.Purpose && k.Algorithm == key.Algorithm && retired.Contains(k.KeyId))
                            .Select(k => k.KeyId).ToList());
                }).ToList();

                stored = await store.ListAsync(cancellationToken);
                if (Plan(stored, algorithms) is { IsEmpty: false } rest)
                {
                    await ApplyAsync(rest, cancellationToken);
                    stored = await store.ListAsync(cancellationToken);
                }

                Load(stored, algorithms);
                return rotated;
            }
        }
        finally
        {
            _refreshLock.Release();
        }
    }

    private void Load(IReadOnlyList<StoredKey> stored, IEnumerable<string> tokenAlgorithms)
    {
        var settings = options.Value;
        var now = time.GetUtcNow();
        stored = stored.Select(k => k with { PrivateKey = protector.Unprotect(k.PrivateKey) }).ToList();
        var sealingKeys = stored.Where(k => k.Purpose == KeyPurpose.Sealing)
            .Select(k => new SealingKey(k.KeyId, k.PrivateKey, k.ActivatesAt, k.RetainUntil)).ToList();
        var keys = stored.Where(k => k.Purpose is KeyPurpose.Tokens or KeyPurpose.DeviceCallbacks).Select(LoadStored).ToList();
        if (settings.KeysFromFiles)
        {
            keys.RemoveAll(k => k.Purpose == KeyPurpose.Tokens);
            keys.Add(LoadPem(settings.SigningKeyFile!, settings.SigningAlgorithm, DateTimeOffset.MinValue));
            if (!string.IsNullOrEmpty(settings.NextSigningKeyFile))
            {
                keys.Add(LoadPem(settings.NextSigningKeyFile, settings.SigningAlgorithm, DateTimeOffset.MaxValue));
            }
        }

        var tokenKeys = new Dictionary<string, SigningKey>(StringComparer.Ordinal);
        foreach (var algorithm in tokenAlgorithms)
        {
            if (ActiveKey(keys, KeyPurpose.Tokens, algorithm, now) is { } key)
            {
                tokenKeys[algorithm] = key;
            }
        }

        if (!tokenKeys.ContainsKey(settings.SigningAlgorithm))
        {
            throw new InvalidOperationException($"No active {settings.SigningAlgorithm} token signing key.");
        }

        _ring = new KeyRing(
            settings.SigningAlgorithm,
            tokenKeys,
            ActiveKey(keys, KeyPurpose.DeviceCallbacks, SigningAlgorithms.ES256, now) ?? throw new InvalidOperationException("No active callback signing key."),
            keys.Where(k => k.RetainUntil is null || k.RetainUntil > now).ToList(),
            sealingKeys.Where(k => k.ActivatesAt <= now && k.RetainUntil is null).MaxBy(k => k.ActivatesAt)
                ?? throw new InvalidOperationException("No active sealing key."),
            sealingKeys);
        _loadedAt = now;
    }

    private async Task ApplyAsync(KeyRotationPlan plan, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        foreach (var (purpose, algorithm, activatesAt) in plan.Create)
        {
            string keyId;
            byte[] material;
            if (purpose == KeyPurpose.Sealing)
            {
                material = RandomNumberGenerator.GetBytes(SealingKey.Size);
                keyId = RandomIdentifiers.New(9);
            }
            else
            {
                var key = SigningKey.Create(SigningKey.Generate(algorithm), algorithm, purpose, activatesAt);
                (keyId, material) = (key.KeyId, key.ExportPrivateKey());
            }

            await store.AddAsync(new StoredKey(keyId, algorithm, purpose, protector.Protect(material), now, activatesAt, null), cancellationToken);
            Log.KeyCreated(logger, keyId, algorithm, purpose, activatesAt);
        }

        foreach (var (keyId, activatesAt) in plan.Activate)
        {
            if (await store.ActivateAsync(keyId, activatesAt, cancellationToken))
            {
                Log.KeyActivated(logger, keyId, activatesAt);
            }
        }

        foreach (var (keyId, retainUntil) in plan.Retire)
        {
            await store.RetireAsync(keyId, retainUntil, cancellationToken);
            Log.KeyRetired(logger, keyId, retainUntil);
        }

        foreach (var keyId in plan.Delete)
        {
            await store.DeleteAsync(keyId, cancellationToken);
            Log.KeyDeleted(logger, keyId);
        }
    }

    private static SigningKey? ActiveKey(List<SigningKey> keys, KeyPurpose purpose, string algorithm, DateTimeOffset now) =>
        keys.Where(k => k.Purpose == purpose && k.Algorithm == algorithm && k.ActivatesAt <= now && k.RetainUntil is null)
            .MaxBy(k => k.ActivatesAt);

    private static SigningKey LoadStored(StoredKey stored)
    {
        AsymmetricAlgorithm key = stored.Algorithm == SigningAlgorithms.ES256 ? ECDsa.Create() : RSA.Create();
        key.ImportPkcs8PrivateKey(stored.PrivateKey, out _);
        return SigningKey.Create(key, stored.Algorithm, stored.Purpose, stored.ActivatesAt, stored.RetainUntil);
    }

    private static SigningKey LoadPem(string path, string algorithm, DateTimeOffset activatesAt)
    {
        var pem = File.ReadAllText(path);
        AsymmetricAlgorithm key = algorithm == SigningAlgorithms.ES256 ? ECDsa.Create() : RSA.Create();
        key.ImportFromPem(pem);
        return SigningKey.Create(key, algorithm, KeyPurpose.Tokens, activatesAt);
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Created {Algorithm} key {KeyId} for {Purpose}, signing from {ActivatesAt:O}")]
        public static partial void KeyCreated(ILogger logger, string keyId, string algorithm, KeyPurpose purpose, DateTimeOffset activatesAt);

        [LoggerMessage(2, LogLevel.Information, "Key {KeyId} retired; published until {RetainUntil:O}")]
        public static partial void KeyRetired(ILogger logger, string keyId, DateTimeOffset retainUntil);

        [LoggerMessage(3, LogLevel.Information, "Key {KeyId} deleted")]
        public static partial void KeyDeleted(ILogger logger, string keyId);

        [LoggerMessage(4, LogLevel.Information, "Created key {KeyId} for pairwise subject identifiers; it is never rotated")]
        public static partial void PairwiseSubjectKeyCreated(ILogger logger, string keyId);

        [LoggerMessage(5, LogLevel.Information, "Key {KeyId} signs from {ActivatesAt:O} (rotated now)")]
        public static partial void KeyActivated(ILogger logger, string keyId, DateTimeOffset activatesAt);
    }
}
