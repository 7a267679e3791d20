using Backchannel.Abstractions;
using Backchannel.Domain;
using Microsoft.Data.Sqlite;

namespace Backchannel.Storage.Sqlite;

/// <summary>App devices in SQLite. A registration is one conditional upsert, run by the single writer with the read that names its outcome.</summary>
internal sealed class SqliteAppDeviceStore(SqliteDatabase database) : IAppDeviceStore
{
    private const string Columns = "id, subject, name, public_key, push_token, created_at, updated_at";

    /// <summary>
    /// Inserts the device if its user has fewer than <c>$max</c> devices, or replaces the name and push token of the same
    /// user's device of this key; changes nothing for another user's key.
    /// </summary>
    private const string Register =
        "INSERT INTO app_devices (" + Columns + ") SELECT $id, $subject, $name, $key, $push, $created, $updated " +
        "WHERE EXISTS (SELECT 1 FROM app_devices WHERE id = $id) OR (SELECT COUNT(*) FROM app_devices WHERE subject = $subject) < $max " +
        "ON CONFLICT (id) DO UPDATE SET name = excluded.name, push_token = excluded.push_token, updated_at = excluded.updated_at " +
        "WHERE app_devices.subject = excluded.subject";

    public Task<DeviceRegistrationOutcome> RegisterAsync(AppDevice device, int maxPerSubject, CancellationToken cancellationToken) =>
        database.WriteAsync(session =>
        {
            var owner = session.Scalar("SELECT subject FROM app_devices WHERE id = $id", ("$id", device.Id)) as string;
            var changed = session.Execute(Register,
                ("$id", device.Id), ("$subject", device.Subject), ("$name", device.Name), ("$key", device.PublicKey), ("$push", device.PushToken),
                ("$created", UnixTime.ToMs(device.CreatedAt)), ("$updated", UnixTime.ToMs(device.UpdatedAt)), ("$max", maxPerSubject));
            return changed == 1 ? owner is null ? DeviceRegistrationOutcome.Registered : DeviceRegistrationOutcome.Updated
                : owner is not null && owner != device.Subject ? DeviceRegistrationOutcome.KeyOfAnotherUser
                : DeviceRegistrationOutcome.LimitReached;
        });

    public ValueTask<AppDevice?> FindAsync(string id, CancellationToken cancellationToken) =>
        ValueTask.FromResult(database.Read(session =>
            session.Query("SELECT " + Columns + " FROM app_devices WHERE id = $id", ("$id", id)).ReadFirst(Map)));

    public Task<IReadOnlyList<AppDevice>> ListForSubjectAsync(string subject, CancellationToken cancellationToken) =>
        Task.FromResult(database.Read<IReadOnlyList<AppDevice>>(session =>
            session.Query("SELECT " + Columns + " FROM app_devices WHERE subject = $subject ORDER BY created_at, id", ("$subject", subject))
                .ReadAll(Map)));

    public Task<bool> DeleteAsync(string id, string? subject, CancellationToken cancellationToken) =>
        database.WriteAsync(session => session.Execute(
            "DELETE FROM app_devices WHERE id = $id AND ($subject IS NULL OR subject = $subject)", ("$id", id), ("$subject", subject)) == 1);

    private static AppDevice Map(SqliteDataReader r) => new()
    {
        Id = r.GetString(0),
        Subject = r.GetString(1),
        Name = r.GetString(2),
        PublicKey = r.GetString(3),
        PushToken = r.GetNullableString(4),
        CreatedAt = UnixTime.FromMs(r.GetInt64(5)),
        UpdatedAt = UnixTime.FromMs(r.GetInt64(6)),
    };
}
