using Backchannel.Keys;

namespace Backchannel.Storage;

public sealed record StoredSigningKey(string KeyId, string Algorithm, SigningKeyPurpose Purpose, byte[] PrivateKey,
    DateTimeOffset CreatedAt, DateTimeOffset ActivatesAt, DateTimeOffset? RetainUntil);

public interface ISigningKeyStore
{
    Task<IReadOnlyList<StoredSigningKey>> ListAsync(CancellationToken cancellationToken);

    Task AddAsync(StoredSigningKey key, CancellationToken cancellationToken);

    Task RetireAsync(string keyId, DateTimeOffset retainUntil, CancellationToken cancellationToken);

    Task DeleteAsync(string keyId, CancellationToken cancellationToken);
}
