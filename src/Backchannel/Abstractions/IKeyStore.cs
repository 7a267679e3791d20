using Backchannel.Domain;

namespace Backchannel.Abstractions;

/// <summary>The provider's generated keys. Changes are made under the store lock <see cref="StoreLocks.Keys"/>.</summary>
public interface IKeyStore
{
    Task<IReadOnlyList<StoredKey>> ListAsync(CancellationToken cancellationToken);

    Task AddAsync(StoredKey key, CancellationToken cancellationToken);

    Task RetireAsync(string keyId, DateTimeOffset retainUntil, CancellationToken cancellationToken);

    /// <summary>Moves an unretired key's activation to <paramref name="activatesAt"/> (a rotation brought forward); false if there is no such key.</summary>
    Task<bool> ActivateAsync(string keyId, DateTimeOffset activatesAt, CancellationToken cancellationToken);

    Task DeleteAsync(string keyId, CancellationToken cancellationToken);

    /// <summary>Replaces a key's stored material (with the same key, protected differently).</summary>
    Task ReplaceMaterialAsync(string keyId, byte[] material, CancellationToken cancellationToken);
}
