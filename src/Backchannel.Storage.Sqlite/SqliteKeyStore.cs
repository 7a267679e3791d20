using Backchannel.Abstractions;
using Backchannel.Domain;

namespace Backchannel.Storage.Sqlite;

internal sealed class SqliteKeyStore(SqliteDatabase database) : IKeyStore
{
    public Task<IReadOnlyList<StoredKey>> ListAsync(CancellationToken cancellationToken) =>
        Task.FromResult(database.Read<IReadOnlyList<StoredKey>>(session => session.Query(
                "SELECT kid, alg, purpose, private_key, created_at, activates_at, retain_until FROM provider_keys ORDER BY activates_at")
            .ReadAll(static reader => new StoredKey(reader.GetString(0), reader.GetString(1), (KeyPurpose)reader.GetInt32(2),
                (byte[])reader.GetValue(3), UnixTime.FromMs(reader.GetInt64(4)), UnixTime.FromMs(reader.GetInt64(5)),
                reader.IsDBNull(6) ? null : UnixTime.FromMs(reader.GetInt64(6))))));

    public Task AddAsync(StoredKey key, CancellationToken cancellationToken) =>
        database.WriteAsync(session => session.Execute(
            "INSERT INTO provider_keys (kid, alg, purpose, private_key, created_at, activates_at, retain_until) " +
            "VALUES ($kid, $alg, $purpose, $key, $created, $activates, $retain)",
            ("$kid", key.KeyId), ("$alg", key.Algorithm), ("$purpose", (int)key.Purpose), ("$key", key.PrivateKey),
            ("$created", UnixTime.ToMs(key.CreatedAt)), ("$activates", UnixTime.ToMs(key.ActivatesAt)),
            ("$retain", UnixTime.ToMs(key.RetainUntil))));

    public Task RetireAsync(string keyId, DateTimeOffset retainUntil, CancellationToken cancellationToken) =>
        database.WriteAsync(session => session.Execute("UPDATE provider_keys SET retain_until = $retain WHERE kid = $kid",
            ("$retain", UnixTime.ToMs(retainUntil)), ("$kid", keyId)));

    public Task<bool> ActivateAsync(string keyId, DateTimeOffset activatesAt, CancellationToken cancellationToken) =>
        database.WriteAsync(session => session.Execute("UPDATE provider_keys SET activates_at = $activates WHERE kid = $kid AND retain_until IS NULL",
            ("$activates", UnixTime.ToMs(activatesAt)), ("$kid", keyId)) == 1);

    public Task ReplaceMaterialAsync(string keyId, byte[] material, CancellationToken cancellationToken) =>
        database.WriteAsync(session => session.Execute("UPDATE provider_keys SET private_key = $key WHERE kid = $kid", ("$key", material), ("$kid", keyId)));

    public Task DeleteAsync(string keyId, CancellationToken cancellationToken) =>
        database.WriteAsync(session => session.Execute("DELETE FROM provider_keys WHERE kid = $kid", ("$kid", keyId)));
}
