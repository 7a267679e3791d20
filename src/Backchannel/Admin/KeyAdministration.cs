using Backchannel.Abstractions;
using Backchannel.Domain;
using Backchannel.Keys;
using Backchannel.Protocol;

namespace Backchannel.Admin;

/// <summary>
/// The admin API's signing keys: those in the store (generated: the token keys and the device callback key) and those
/// from files (<c>Tokens:SigningKeyFile</c>), listed by kid; and a rotation brought forward (<see cref="KeyManager.RotateNowAsync"/>).
/// Sealing keys (symmetric, for secrets the store keeps sealed) and the pairwise derivation key are not signing keys and are not listed.
/// </summary>
public sealed class KeyAdministration(IKeyStore store, KeyManager keys, TimeProvider time)
{
    public async Task<Page<AdminKeyView>> ListAsync(string? after, int limit, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var stored = (await store.ListAsync(cancellationToken)).Where(k => k.Purpose is KeyPurpose.Tokens or KeyPurpose.DeviceCallbacks).ToList();
        var views = stored.Select(k => View(k, stored, now))
            .Concat(keys.Current.Published.Where(k => stored.All(s => s.KeyId != k.KeyId)).Select(FileKey))
            .Where(k => after is null || string.CompareOrdinal(k.KeyId, after) > 0)
            .OrderBy(k => k.KeyId, StringComparer.Ordinal)
            .ToList();
        return AdminPaging.PageOf(views, limit, view => view, view => view.KeyId);
    }

    public async Task<ProtocolResult<AdminKeyRotationResult>> RotateAsync(CancellationToken cancellationToken)
    {
        var rotated = await keys.RotateNowAsync(cancellationToken);
        return rotated.Count == 0
            ? AdminErrors.Conflicting("No signing key has a published next key to rotate to (keys from Tokens:SigningKeyFile are rotated by changing the files).")
            : new AdminKeyRotationResult(rotated.Select(r => new AdminKeyRotationView(Purpose(r.Purpose), r.Algorithm, r.ActivatedKeyId, r.RetiredKeyIds)).ToList());
    }

    private static AdminKeyView View(StoredKey key, List<StoredKey> all, DateTimeOffset now)
    {
        var siblings = all.Where(k => k.Purpose == key.Purpose && k.Algorithm == key.Algorithm && k.RetainUntil is null).ToList();
        var active = siblings.Where(k => k.ActivatesAt <= now).MaxBy(k => k.ActivatesAt);
        var state = key.RetainUntil is not null ? "retired"
            : key.ActivatesAt > now ? "next"
            : key.KeyId == active?.KeyId ? "active"
            : "previous";
        return new AdminKeyView
        {
            KeyId = key.KeyId,
            Algorithm = key.Algorithm,
            Purpose = Purpose(key.Purpose),
            State = state,
            Source = "generated",
            CreatedAt = key.CreatedAt,
            ActivatesAt = key.ActivatesAt,
            RetiresAt = state == "active" ? siblings.Where(k => k.ActivatesAt > now).MinBy(k => k.ActivatesAt)?.ActivatesAt : null,
            PublishedUntil = key.RetainUntil,
        };
    }

    /// <summary>A key read from Tokens:SigningKeyFile (active) or Tokens:NextSigningKeyFile (next): it has no times of its own.</summary>
    private static AdminKeyView FileKey(SigningKey key) => new()
    {
        KeyId = key.KeyId,
        Algorithm = key.Algorithm,
        Purpose = Purpose(key.Purpose),
        State = key.ActivatesAt == DateTimeOffset.MaxValue ? "next" : "active",
        Source = "file",
    };

    private static string Purpose(KeyPurpose purpose) => purpose switch
    {
        KeyPurpose.Tokens => "tokens",
        KeyPurpose.DeviceCallbacks => "device_callbacks",
        _ => purpose.ToString().ToLowerInvariant(),
    };
}
