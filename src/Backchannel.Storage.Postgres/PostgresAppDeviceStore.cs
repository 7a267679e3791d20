using Backchannel.Abstractions;
using Backchannel.Domain;
using Npgsql;
using static Backchannel.Storage.Postgres.PostgresParameter;

namespace Backchannel.Storage.Postgres;

/// <summary>
/// App devices in PostgreSQL, shared by every node. A registration is one conditional upsert; the key's primary key
/// decides between two nodes registering it at once. The per-user limit is checked on the count the statement's
/// snapshot sees: registrations of one user running at the same moment do not see each other, so they may take the user
/// past the limit by at most their number less one (as the per-client pending count does); a later registration sees them all.
/// </summary>
internal sealed class PostgresAppDeviceStore(PostgresDatabase database) : IAppDeviceStore
{
    private const string Columns = "id, subject, name, public_key, push_token, created_at, updated_at";

    /// <summary>
    /// Inserts the device if its user has fewer than <c>$8</c> devices, or replaces the name and push token of the same
    /// user's device of this key; changes nothing for another user's key. The row it wrote says which (<c>xmax = 0</c>: inserted).
    /// </summary>
    private const string Register =
        "INSERT INTO app_devices AS d (" + Columns + ") SELECT $1, $2, $3, $4, $5, $6, $7 " +
        "WHERE EXISTS (SELECT 1 FROM app_devices WHERE id = $1) OR (SELECT count(*) FROM app_devices WHERE subject = $2) < $8 " +
        "ON CONFLICT (id) DO UPDATE SET name = excluded.name, push_token = excluded.push_token, updated_at = excluded.updated_at " +
        "WHERE d.subject = excluded.subject RETURNING (xmax = 0)";

    public async Task<DeviceRegistrationOutcome> RegisterAsync(AppDevice device, int maxPerSubject, CancellationToken cancellationToken)
    {
        var inserted = await database.QueryFirstValueAsync(Register,
        [
            Text(device.Id), Text(device.Subject), Text(device.Name), Text(device.PublicKey), Text(device.PushToken),
            Time(device.CreatedAt), Time(device.UpdatedAt), Integer(maxPerSubject),
        ], static reader => reader.GetBoolean(0), cancellationToken);
        if (inserted is { } wasInserted)
        {
            return wasInserted ? DeviceRegistrationOutcome.Registered : DeviceRegistrationOutcome.Updated;
        }

        // Nothing written: the key is another user's, or the user has as many devices as allowed.
        var owner = await database.ScalarAsync<string>("SELECT subject FROM app_devices WHERE id = $1", [Text(device.Id)], cancellationToken);
        return owner is not null && owner != device.Subject ? DeviceRegistrationOutcome.KeyOfAnotherUser : DeviceRegistrationOutcome.LimitReached;
    }

    public async ValueTask<AppDevice?> FindAsync(string id, CancellationToken cancellationToken) =>
        await database.QueryFirstAsync("SELECT " + Columns + " FROM app_devices WHERE id = $1", [Text(id)], Map, cancellationToken);

    public async Task<IReadOnlyList<AppDevice>> ListForSubjectAsync(string subject, CancellationToken cancellationToken) =>
        await database.QueryAsync("SELECT " + Columns + " FROM app_devices WHERE subject = $1 ORDER BY created_at, id", [Text(subject)], Map,
            cancellationToken);

    public async Task<bool> DeleteAsync(string id, string? subject, CancellationToken cancellationToken) =>
        await database.ExecuteAsync("DELETE FROM app_devices WHERE id = $1 AND ($2::text IS NULL OR subject = $2)", [Text(id), Text(subject)],
            cancellationToken) == 1;

    private static AppDevice Map(NpgsqlDataReader r) => new()
    {
        Id = r.GetString(0),
        Subject = r.GetString(1),
        Name = r.GetString(2),
        PublicKey = r.GetString(3),
        PushToken = r.GetNullableString(4),
        CreatedAt = r.GetTime(5),
        UpdatedAt = r.GetTime(6),
    };
}
