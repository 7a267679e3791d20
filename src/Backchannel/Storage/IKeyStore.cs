using Backchannel.Keys;

namespace Backchannel.Storage;

public sealed record StoredKey(string KeyId, string Algorithm, KeyPurpose Purpose, byte[] PrivateKey,
    DateTimeOffset CreatedAt, DateTimeOffset ActivatesAt, DateTimeOffset? RetainUntil);

public interface IKeyStore
{
    Task<IReadOnlyList<StoredKey>> ListAsync(CancellationToken cancellationToken);

    Task AddAsync(StoredKey key, CancellationToken cancellationToken);

    Task RetireAsync(string keyId, DateTimeOffset retainUntil, CancellationToken cancellationToken);

    Task DeleteAsync(string keyId, CancellationToken cancellationToken);
}
