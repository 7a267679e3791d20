using Backchannel.Abstractions;
using Backchannel.Domain;
using static Backchannel.Storage.Postgres.PostgresParameter;

namespace Backchannel.Storage.Postgres;

/// <summary>The provider's keys, shared by every node (changes are made under the store lock <see cref="StoreLocks.Keys"/>).</summary>
internal sealed class PostgresKeyStore(PostgresDatabase database) : IKeyStore
{
    public async Task<IReadOnlyList<StoredKey>> ListAsync(CancellationToken cancellationToken) =>
        await database.QueryAsync(
            "SELECT kid, alg, purpose, private_key, created_at, activates_at, retain_until FROM provider_keys ORDER BY activates_at, kid", [],
            reader => new StoredKey(reader.GetString(0), reader.GetString(1), (KeyPurpose)reader.GetInt32(2), reader.GetBytes(3),
                reader.GetTime(4), reader.GetTime(5), reader.GetNullableTime(6)),
            cancellationToken);

    public Task AddAsync(StoredKey key, CancellationToken cancellationToken) =>
        database.ExecuteAsync(
            "INSERT INTO provider_keys (kid, alg, purpose, private_key, created_at, activates_at, retain_until) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            [Text(key.KeyId), Text(key.Algorithm), Integer((int)key.Purpose), Bytes(key.PrivateKey), Time(key.CreatedAt), Time(key.ActivatesAt),
                Time(key.RetainUntil)],
            cancellationToken);

    public Task RetireAsync(string keyId, DateTimeOffset retainUntil, CancellationToken cancellationToken) =>
        database.ExecuteAsync("UPDATE provider_keys SET retain_until = $1 WHERE kid = $2", [Time(retainUntil), Text(keyId)], cancellationToken);

    public async Task<bool> ActivateAsync(string keyId, DateTimeOffset activatesAt, CancellationToken cancellationToken) =>
        await database.ExecuteAsync("UPDATE provider_keys SET activates_at = $1 WHERE kid = $2 AND retain_until IS NULL",
            [Time(activatesAt), Text(keyId)], cancellationToken) == 1;

    public Task ReplaceMaterialAsync(string keyId, byte[] material, CancellationToken cancellationToken) =>
        database.ExecuteAsync("UPDATE provider_keys SET private_key = $1 WHERE kid = $2", [Bytes(material), Text(keyId)], cancellationToken);

    public Task DeleteAsync(string keyId, CancellationToken cancellationToken) =>
        database.ExecuteAsync("DELETE FROM provider_keys WHERE kid = $1", [Text(keyId)], cancellationToken);
}
