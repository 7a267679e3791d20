using Backchannel.Abstractions;
using Backchannel.Domain;
using Microsoft.Data.Sqlite;

namespace Backchannel.Storage.Sqlite;

internal sealed class SqliteClientStore(SqliteDatabase database) : IClientStore
{
    private const string Columns = "client_id, metadata, secret_hash, source, created_at, updated_at, registration_token_hash";

    public ValueTask<StoredClient?> FindAsync(string clientId, CancellationToken cancellationToken) =>
        ValueTask.FromResult(database.Read(session =>
            session.Query("SELECT " + Columns + " FROM clients WHERE client_id = $id", ("$id", clientId)).ReadFirst(Map)));

    public Task UpsertAsync(StoredClient client, CancellationToken cancellationToken) =>
        database.WriteAsync(session => session.Execute(
            "INSERT INTO clients (" + Columns + ") VALUES ($id, $metadata, $secret, $source, $created, $updated, $token) " +
            "ON CONFLICT (client_id) DO UPDATE SET metadata = excluded.metadata, secret_hash = excluded.secret_hash, source = excluded.source, " +
            "updated_at = excluded.updated_at, registration_token_hash = excluded.registration_token_hash",
            ("$id", client.ClientId), ("$metadata", client.Metadata), ("$secret", client.SecretHash), ("$source", client.Source),
            ("$created", UnixTime.ToMs(client.CreatedAt)), ("$updated", UnixTime.ToMs(client.UpdatedAt)), ("$token", client.RegistrationAccessTokenHash)));

    public Task<IReadOnlyList<StoredClient>> ListAsync(string? after, int limit, CancellationToken cancellationToken) =>
        Task.FromResult(database.Read<IReadOnlyList<StoredClient>>(session => (after is null
                ? session.Query("SELECT " + Columns + " FROM clients ORDER BY client_id LIMIT $limit", ("$limit", limit))
                : session.Query("SELECT " + Columns + " FROM clients WHERE client_id > $after ORDER BY client_id LIMIT $limit",
                    ("$after", after), ("$limit", limit)))
            .ReadAll(Map)));

    public Task<bool> ReplaceAsync(StoredClient client, StoredClient expected, CancellationToken cancellationToken) =>
        database.WriteAsync(session => session.Execute(
            "UPDATE clients SET metadata = $metadata, secret_hash = $secret, source = $source, updated_at = $updated WHERE client_id = $id " +
            "AND metadata = $old_metadata AND secret_hash IS $old_secret AND source = $old_source AND updated_at = $old_updated",
            ("$id", client.ClientId), ("$metadata", client.Metadata), ("$secret", client.SecretHash), ("$source", client.Source),
            ("$updated", UnixTime.ToMs(client.UpdatedAt)), ("$old_metadata", expected.Metadata), ("$old_secret", expected.SecretHash),
            ("$old_source", expected.Source), ("$old_updated", UnixTime.ToMs(expected.UpdatedAt))) == 1);

    public Task<bool> DeleteAsync(string clientId, CancellationToken cancellationToken) =>
        database.WriteAsync(session => session.Execute("DELETE FROM clients WHERE client_id = $id", ("$id", clientId)) == 1);

    public Task<IReadOnlyList<string>> DeleteFromSourceExceptAsync(string source, IReadOnlyList<string> keep, CancellationToken cancellationToken) =>
        database.WriteAsync<IReadOnlyList<string>>(session =>
        {
            var kept = new HashSet<string>(keep, StringComparer.Ordinal);
            var stale = new List<string>();
            using (var reader = session.Query("SELECT client_id FROM clients WHERE source = $source", ("$source", source)))
            {
                while (reader.Read())
                {
                    if (!kept.Contains(reader.GetString(0)))
                    {
                        stale.Add(reader.GetString(0));
                    }
                }
            }

            foreach (var clientId in stale)
            {
                session.Execute("DELETE FROM clients WHERE client_id = $id", ("$id", clientId));
            }

            return stale;
        });

    public Task<bool> AddAsync(StoredClient client, CancellationToken cancellationToken) =>
        database.WriteAsync(session => session.Execute(
            "INSERT INTO clients (" + Columns + ") VALUES ($id, $metadata, $secret, $source, $created, $updated, $token) ON CONFLICT (client_id) DO NOTHING",
            ("$id", client.ClientId), ("$metadata", client.Metadata), ("$secret", client.SecretHash), ("$source", client.Source),
            ("$created", UnixTime.ToMs(client.CreatedAt)), ("$updated", UnixTime.ToMs(client.UpdatedAt)), ("$token", client.RegistrationAccessTokenHash)) == 1);

    public Task<bool> ReplaceRegisteredAsync(StoredClient client, byte[] registrationAccessTokenHash, CancellationToken cancellationToken) =>
        database.WriteAsync(session => session.Execute(
            "UPDATE clients SET metadata = $metadata, secret_hash = $secret, registration_token_hash = $token, updated_at = $updated " +
            "WHERE client_id = $id AND registration_token_hash = $expected",
            ("$id", client.ClientId), ("$metadata", client.Metadata), ("$secret", client.SecretHash), ("$token", client.RegistrationAccessTokenHash),
            ("$updated", UnixTime.ToMs(client.UpdatedAt)), ("$expected", registrationAccessTokenHash)) == 1);

    public Task<bool> DeleteRegisteredAsync(string clientId, byte[] registrationAccessTokenHash, CancellationToken cancellationToken) =>
        database.WriteAsync(session => session.Execute("DELETE FROM clients WHERE client_id = $id AND registration_token_hash = $expected",
            ("$id", clientId), ("$expected", registrationAccessTokenHash)) == 1);

    private static StoredClient Map(SqliteDataReader r) => new()
    {
        ClientId = r.GetString(0),
        Metadata = r.GetString(1),
        SecretHash = r.IsDBNull(2) ? null : (byte[])r.GetValue(2),
        Source = r.GetString(3),
        CreatedAt = UnixTime.FromMs(r.GetInt64(4)),
        UpdatedAt = UnixTime.FromMs(r.GetInt64(5)),
        RegistrationAccessTokenHash = r.IsDBNull(6) ? null : (byte[])r.GetValue(6),
    };
}
