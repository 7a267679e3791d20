using Backchannel.Abstractions;
using Backchannel.Domain;
using Npgsql;
using static Backchannel.Storage.Postgres.PostgresParameter;

namespace Backchannel.Storage.Postgres;

/// <summary>Registered clients: metadata as the provider wrote it (text, so that it reads back byte for byte) and secret hashes.</summary>
internal sealed class PostgresClientStore(PostgresDatabase database) : IClientStore
{
    private const string Columns = "client_id, metadata, secret_hash, source, created_at, updated_at, registration_token_hash";

    public ValueTask<StoredClient?> FindAsync(string clientId, CancellationToken cancellationToken) =>
        new(database.QueryFirstAsync("SELECT " + Columns + " FROM clients WHERE client_id = $1", [Text(clientId)], Map, cancellationToken));

    public Task UpsertAsync(StoredClient client, CancellationToken cancellationToken) =>
        database.ExecuteAsync(
            "INSERT INTO clients (" + Columns + ") VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (client_id) DO UPDATE SET " +
            "metadata = excluded.metadata, secret_hash = excluded.secret_hash, source = excluded.source, updated_at = excluded.updated_at, " +
            "registration_token_hash = excluded.registration_token_hash",
            Row(client), cancellationToken);

    /// <summary>Ordered by the bytes of client_id, as in the embedded store (a sort of the clients table, which is small).</summary>
    public async Task<IReadOnlyList<StoredClient>> ListAsync(string? after, int limit, CancellationToken cancellationToken) =>
        after is null
            ? await database.QueryAsync("SELECT " + Columns + " FROM clients ORDER BY client_id COLLATE \"C\" LIMIT $1", [Integer(limit)], Map,
                cancellationToken)
            : await database.QueryAsync("SELECT " + Columns + " FROM clients WHERE client_id COLLATE \"C\" > $1 ORDER BY client_id COLLATE \"C\" LIMIT $2",
                [Text(after), Integer(limit)], Map, cancellationToken);

    public async Task<bool> ReplaceAsync(StoredClient client, StoredClient expected, CancellationToken cancellationToken) =>
        await database.ExecuteAsync(
            "UPDATE clients SET metadata = $2, secret_hash = $3, source = $4, updated_at = $5 WHERE client_id = $1 AND metadata = $6 " +
            "AND secret_hash IS NOT DISTINCT FROM $7 AND source = $8 AND updated_at = $9",
            [Text(client.ClientId), Text(client.Metadata), Bytes(client.SecretHash), Text(client.Source), Time(client.UpdatedAt),
                Text(expected.Metadata), Bytes(expected.SecretHash), Text(expected.Source), Time(expected.UpdatedAt)],
            cancellationToken) == 1;

    public async Task<bool> DeleteAsync(string clientId, CancellationToken cancellationToken) =>
        await database.ExecuteAsync("DELETE FROM clients WHERE client_id = $1", [Text(clientId)], cancellationToken) == 1;

    public async Task<IReadOnlyList<string>> DeleteFromSourceExceptAsync(string source, IReadOnlyList<string> keep, CancellationToken cancellationToken) =>
        await database.QueryAsync("DELETE FROM clients WHERE source = $1 AND client_id <> ALL ($2) RETURNING client_id",
            [Text(source), TextArray(keep)], reader => reader.GetString(0), cancellationToken);

    public async Task<bool> AddAsync(StoredClient client, CancellationToken cancellationToken) =>
        await database.ExecuteAsync(
            "INSERT INTO clients (" + Columns + ") VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (client_id) DO NOTHING",
            Row(client), cancellationToken) == 1;

    public async Task<bool> ReplaceRegisteredAsync(StoredClient client, byte[] registrationAccessTokenHash, CancellationToken cancellationToken) =>
        await database.ExecuteAsync(
            "UPDATE clients SET metadata = $2, secret_hash = $3, registration_token_hash = $4, updated_at = $5 WHERE client_id = $1 AND registration_token_hash = $6",
            [Text(client.ClientId), Text(client.Metadata), Bytes(client.SecretHash), Bytes(client.RegistrationAccessTokenHash), Time(client.UpdatedAt),
                Bytes(registrationAccessTokenHash)],
            cancellationToken) == 1;

    public async Task<bool> DeleteRegisteredAsync(string clientId, byte[] registrationAccessTokenHash, CancellationToken cancellationToken) =>
        await database.ExecuteAsync("DELETE FROM clients WHERE client_id = $1 AND registration_token_hash = $2",
            [Text(clientId), Bytes(registrationAccessTokenHash)], cancellationToken) == 1;

    /// <summary>The parameters $1 to $7 of a whole row, in the order of <see cref="Columns"/>.</summary>
    private static NpgsqlParameter[] Row(StoredClient client) =>
    [
        Text(client.ClientId), Text(client.Metadata), Bytes(client.SecretHash), Text(client.Source), Time(client.CreatedAt), Time(client.UpdatedAt),
        Bytes(client.RegistrationAccessTokenHash),
    ];

    private static StoredClient Map(NpgsqlDataReader r) => new()
    {
        ClientId = r.GetString(0),
        Metadata = r.GetString(1),
        SecretHash = r.GetNullableBytes(2),
        Source = r.GetString(3),
        CreatedAt = r.GetTime(4),
        UpdatedAt = r.GetTime(5),
        RegistrationAccessTokenHash = r.GetNullableBytes(6),
    };
}
