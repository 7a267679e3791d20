using System.Security.Cryptography;
using Backchannel.Configuration;
using Backchannel.Protocol;
using Backchannel.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Backchannel.Keys;

/// <summary>
/// Owns the provider's keys: signing keys from PEM files or the store, and sealing keys; generates and rotates stored
/// keys (the next signing key is published before it signs) and exposes the current <see cref="KeyRing"/>.
/// </summary>
public sealed partial class KeyManager(
    IKeyStore store,
    IOptions<BackchannelOptions> options,
    TimeProvider time,
    ILogger<KeyManager> logger)
{
    private readonly SemaphoreSlim _refreshLock = new(1, 1);
    private KeyRing? _ring;

    public KeyRing Current => _ring ?? throw new InvalidOperationException("The signing keys are not loaded yet.");

    /// <summary>Applies the rotation policy to the store and reloads the ring.</summary>
    public async Task RefreshAsync(CancellationToken cancellationToken)
    {
        await _refreshLock.WaitAsync(cancellationToken);
        try
        {
            var settings = options.Value.Tokens;
            var now = time.GetUtcNow();
            var fromFiles = !string.IsNullOrEmpty(settings.SigningKeyFile);
            var wanted = new List<(KeyPurpose, string)>
            {
                (KeyPurpose.DeviceCallbacks, SigningAlgorithms.ES256),
                (KeyPurpose.Sealing, SealingKey.Algorithm),
            };
            if (!fromFiles)
            {
                wanted.Add((KeyPurpose.Tokens, settings.SigningAlgorithm));
            }

            var stored = await store.ListAsync(cancellationToken);
            var plan = KeyRotationPlanner.Plan(
                stored.Select(k => new KeySchedule(k.KeyId, k.Algorithm, k.Purpose, k.ActivatesAt, k.RetainUntil)).ToList(),
                wanted, now, Policy(settings));

            if (!plan.IsEmpty)
            {
                await ApplyAsync(plan, now, cancellationToken);
                stored = await store.ListAsync(cancellationToken);
            }

            var sealingKeys = stored.Where(k => k.Purpose == KeyPurpose.Sealing)
                .Select(k => new SealingKey(k.KeyId, k.PrivateKey, k.ActivatesAt, k.RetainUntil)).ToList();
            var keys = stored.Where(k => k.Purpose != KeyPurpose.Sealing).Select(Load).ToList();
            if (fromFiles)
            {
                keys.RemoveAll(k => k.Purpose == KeyPurpose.Tokens);
                keys.Add(LoadPem(settings.SigningKeyFile!, settings.SigningAlgorithm, DateTimeOffset.MinValue));
                if (!string.IsNullOrEmpty(settings.NextSigningKeyFile))
                {
                    keys.Add(LoadPem(settings.NextSigningKeyFile, settings.SigningAlgorithm, DateTimeOffset.MaxValue));
                }
            }

            _ring = new KeyRing(
                ActiveKey(keys, KeyPurpose.Tokens, settings.SigningAlgorithm, now),
                ActiveKey(keys, KeyPurpose.DeviceCallbacks, SigningAlgorithms.ES256, now),
                keys.Where(k => k.RetainUntil is null || k.RetainUntil > now).ToList(),
                sealingKeys.Where(k => k.ActivatesAt <= now && k.RetainUntil is null).MaxBy(k => k.ActivatesAt)
                    ?? throw new InvalidOperationException("No active sealing key."),
                sealingKeys);
        }
        finally
        {
            _refreshLock.Release();
        }
    }

    private async Task ApplyAsync(KeyRotationPlan plan, DateTimeOffset now, CancellationToken cancellationToken)
    {
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

            await store.AddAsync(new StoredKey(keyId, algorithm, purpose, material, now, activatesAt, null), cancellationToken);
            Log.KeyCreated(logger, keyId, algorithm, purpose, activatesAt);
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

    private static SigningKey ActiveKey(List<SigningKey> keys, KeyPurpose purpose, string algorithm, DateTimeOffset now) =>
        keys.Where(k => k.Purpose == purpose && k.Algorithm == algorithm && k.ActivatesAt <= now && k.RetainUntil is null)
            .MaxBy(k => k.ActivatesAt)
        ?? throw new InvalidOperationException($"No active {algorithm} key for {purpose}.");

    private static SigningKey Load(StoredKey stored)
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

    private static KeyRotationPolicy Policy(TokenOptions settings) => new(
        TimeSpan.FromDays(settings.KeyRotationDays),
        TimeSpan.FromDays(settings.KeyPrePublicationDays),
        TimeSpan.FromDays(settings.KeyRetentionDays));

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Created {Algorithm} key {KeyId} for {Purpose}, signing from {ActivatesAt:O}")]
        public static partial void KeyCreated(ILogger logger, string keyId, string algorithm, KeyPurpose purpose, DateTimeOffset activatesAt);

        [LoggerMessage(2, LogLevel.Information, "Key {KeyId} retired; published until {RetainUntil:O}")]
        public static partial void KeyRetired(ILogger logger, string keyId, DateTimeOffset retainUntil);

        [LoggerMessage(3, LogLevel.Information, "Key {KeyId} deleted")]
        public static partial void KeyDeleted(ILogger logger, string keyId);
    }
}
