using Backchannel.Abstractions;
using Backchannel.Domain;
using Npgsql;
using static Backchannel.Storage.Postgres.PostgresParameter;

namespace Backchannel.Storage.Postgres;

/// <summary>The built-in user directory's table; e-mail addresses are compared case-insensitively (<c>lower(email)</c>, indexed).</summary>
internal sealed class PostgresUserStore(PostgresDatabase database) : IUserStore
{
    private const string Columns = "sub, username, email, phone_number, name, password_hash, user_code_hash, channel, claims, updated_at";

    /// <summary>A configured user may change its username, e-mail or phone: the users that had them go first.</summary>
    private const string FreeIdentifiers =
        "DELETE FROM users WHERE sub <> $1 AND (username = $2 OR lower(email) = lower($3) OR phone_number = $4)";

    private const string Upsert =
        "INSERT INTO users (" + Columns + ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (sub) DO UPDATE SET " +
        "username = excluded.username, email = excluded.email, phone_number = excluded.phone_number, name = excluded.name, " +
        "password_hash = excluded.password_hash, user_code_hash = excluded.user_code_hash, channel = excluded.channel, " +
        "claims = excluded.claims, updated_at = excluded.updated_at";

    public Task UpsertAsync(UserRecord user, CancellationToken cancellationToken) =>
        // One round trip, one (implicit) transaction.
        database.ExecuteBatchAsync(
        [
            (FreeIdentifiers, [Text(user.Subject), Text(user.Username), Text(user.Email), Text(user.PhoneNumber)]),
            (Upsert, [Text(user.Subject), Text(user.Username), Text(user.Email), Text(user.PhoneNumber), Text(user.Name), Text(user.PasswordHash),
                Text(user.UserCodeHash), Text(user.Channel), Text(PostgresJson.SerializeClaims(user.Claims)), Time(user.UpdatedAt)]),
        ], cancellationToken);

    public Task<int> DeleteConfiguredExceptAsync(IReadOnlyList<string> subjects, CancellationToken cancellationToken) =>
        database.ExecuteAsync("DELETE FROM users WHERE source = 'config' AND sub <> ALL ($1)", [TextArray(subjects)], cancellationToken);

    public ValueTask<UserRecord?> FindBySubjectAsync(string subject, CancellationToken cancellationToken) =>
        FindByAttributeAsync(UserAttribute.Subject, subject, cancellationToken);

    /// <summary>The one user whose sub, username, e-mail or phone number is <paramref name="identifier"/>; none when two users have it.</summary>
    public async ValueTask<UserRecord?> FindByIdentifierAsync(string identifier, CancellationToken cancellationToken)
    {
        var users = await database.QueryAsync(
            "SELECT " + Columns + " FROM users WHERE sub = $1 OR username = $1 OR lower(email) = lower($1) OR phone_number = $1 LIMIT 2",
            [Text(identifier)], Map, cancellationToken);
        return users.Count == 1 ? users[0] : null;
    }

    public ValueTask<UserRecord?> FindByAttributeAsync(UserAttribute attribute, string value, CancellationToken cancellationToken)
    {
        var sql = attribute switch
        {
            UserAttribute.Subject => "SELECT " + Columns + " FROM users WHERE sub = $1",
            UserAttribute.Username => "SELECT " + Columns + " FROM users WHERE username = $1",
            UserAttribute.Email => "SELECT " + Columns + " FROM users WHERE lower(email) = lower($1)",
            _ => "SELECT " + Columns + " FROM users WHERE phone_number = $1",
        };
        return new(database.QueryFirstAsync(sql, [Text(value)], Map, cancellationToken));
    }

    private static UserRecord Map(NpgsqlDataReader r) => new()
    {
        Subject = r.GetString(0),
        Username = r.GetNullableString(1),
        Email = r.GetNullableString(2),
        PhoneNumber = r.GetNullableString(3),
        Name = r.GetNullableString(4),
        PasswordHash = r.GetNullableString(5),
        UserCodeHash = r.GetNullableString(6),
        Channel = r.GetNullableString(7),
        Claims = r.IsDBNull(8) ? new Dictionary<string, string>() : PostgresJson.DeserializeClaims(r.GetString(8)),
        UpdatedAt = r.GetTime(9),
    };
}
