using Backchannel.Abstractions;
using Backchannel.Domain;
using Npgsql;
using static Backchannel.Storage.Postgres.PostgresParameter;

namespace Backchannel.Storage.Postgres;

/// <summary>The built-in user directory's table; e-mail addresses are compared case-insensitively (<c>lower(email)</c>, indexed).</summary>
internal sealed class PostgresUserStore(PostgresDatabase database) : IUserStore
{
    private const string Columns =
        "sub, username, email, phone_number, name, password_hash, user_code_hash, channel, claims, updated_at, disabled_at, source, version";

    /// <summary>The advisory lock the admin API's user writes take, so that two of them cannot give two users one identifier.</summary>
    private const string WriteLock = "backchannel.users";

    /// <summary>
    /// Whether a user other than <c>$1</c> has one of the identifiers <c>$1</c>..<c>$4</c> as any of its own (a login_hint must
    /// name one user; e-mail addresses compare without case, as they are found).
    /// </summary>
    private const string IdentifierTaken =
        "SELECT EXISTS (SELECT 1 FROM users WHERE sub <> $1 AND (sub IN ($1, $2, $3, $4) OR username IN ($1, $2, $3, $4) " +
        "OR lower(email) IN (lower($1), lower($2), lower($3), lower($4)) OR phone_number IN ($1, $2, $3, $4)))";

    /// <summary>A configured user may change its username, e-mail or phone: the users that had them go first.</summary>
    private const string FreeIdentifiers =
        "DELETE FROM users WHERE sub <> $1 AND (username = $2 OR lower(email) = lower($3) OR phone_number = $4)";

    private const string Upsert =
        "INSERT INTO users (" + Columns + ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, NULL, $12, 1) ON CONFLICT (sub) DO UPDATE SET " +
        "username = excluded.username, email = excluded.email, phone_number = excluded.phone_number, name = excluded.name, " +
        "password_hash = excluded.password_hash, user_code_hash = excluded.user_code_hash, channel = excluded.channel, " +
        "claims = excluded.claims, updated_at = excluded.updated_at, source = excluded.source, version = users.version + 1";

    private const string Insert =
        "INSERT INTO users (" + Columns + ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 1) ON CONFLICT (sub) DO NOTHING";

    private const string Replace =
        "UPDATE users SET username = $2, email = $3, phone_number = $4, name = $5, password_hash = $6, user_code_hash = $7, channel = $8, " +
        "claims = $9, updated_at = $10, disabled_at = $11, version = version + 1 WHERE sub = $1 AND version = $13";

    public Task UpsertAsync(UserRecord user, CancellationToken cancellationToken) =>
        // One round trip, one (implicit) transaction.
        database.ExecuteBatchAsync(
        [
            (FreeIdentifiers, [Text(user.Subject), Text(user.Username), Text(user.Email), Text(user.PhoneNumber)]),
            (Upsert, Values(user)),
        ], cancellationToken);

    /// <summary>In the order of the primary key: subjects compare as bytes (migration 22), as in the embedded store.</summary>
    public async Task<IReadOnlyList<UserRecord>> ListAsync(string? after, int limit, CancellationToken cancellationToken) =>
        after is null
            ? await database.QueryAsync("SELECT " + Columns + " FROM users ORDER BY sub LIMIT $1", [Integer(limit)], Map, cancellationToken)
            : await database.QueryAsync("SELECT " + Columns + " FROM users WHERE sub > $1 ORDER BY sub LIMIT $2",
                [Text(after), Integer(limit)], Map, cancellationToken);

    public Task<UserWriteResult> CreateAsync(UserRecord user, CancellationToken cancellationToken) =>
        WriteAsync(user, async (connection, token) =>
            await ExecuteAsync(connection, Insert, Values(user), token) == 1 ? UserWriteResult.Written : UserWriteResult.Exists, cancellationToken);

    public Task<UserWriteResult> ReplaceAsync(UserRecord user, int expectedVersion, CancellationToken cancellationToken) =>
        WriteAsync(user, async (connection, token) =>
        {
            if (await ExecuteAsync(connection, Replace, [.. Values(user), Integer(expectedVersion)], token) == 1)
            {
                return UserWriteResult.Written;
            }

            await using var exists = PostgresDatabase.Command(connection, "SELECT EXISTS (SELECT 1 FROM users WHERE sub = $1)", Text(user.Subject));
            return await exists.ExecuteScalarAsync(token) is true ? UserWriteResult.VersionChanged : UserWriteResult.NotFound;
        }, cancellationToken);

    /// <summary>
    /// A write of the admin API: in a transaction under the advisory lock <see cref="WriteLock"/>, refused when another user
    /// has one of the user's identifiers, else <paramref name="write"/>. Rare work: a few round trips.
    /// </summary>
    private Task<UserWriteResult> WriteAsync(UserRecord user, Func<NpgsqlConnection, CancellationToken, Task<UserWriteResult>> write,
        CancellationToken cancellationToken) =>
        database.RunAsync(async (connection, token) =>
        {
            await using var transaction = await connection.BeginTransactionAsync(token);
            await ExecuteAsync(connection, "SELECT pg_advisory_xact_lock($1)", [Bigint(PostgresAdvisoryLocks.Key(WriteLock))], token);
            await using (var taken = PostgresDatabase.Command(connection, IdentifierTaken,
                             Text(user.Subject), Text(user.Username), Text(user.Email), Text(user.PhoneNumber)))
            {
                if (await taken.ExecuteScalarAsync(token) is true)
                {
                    return UserWriteResult.IdentifierTaken;
                }
            }

            var result = await write(connection, token);
            await transaction.CommitAsync(token);
            return result;
        }, cancellationToken);

    private static async Task<int> ExecuteAsync(NpgsqlConnection connection, string sql, NpgsqlParameter[] parameters, CancellationToken cancellationToken)
    {
        await using var command = PostgresDatabase.Command(connection, sql, parameters);
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static NpgsqlParameter[] Values(UserRecord user) =>
    [
        Text(user.Subject), Text(user.Username), Text(user.Email), Text(user.PhoneNumber), Text(user.Name), Text(user.PasswordHash),
        Text(user.UserCodeHash), Text(user.Channel), Text(PostgresJson.SerializeClaims(user.Claims)), Time(user.UpdatedAt), Time(user.DisabledAt),
        Text(user.Source),
    ];

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
        DisabledAt = r.GetNullableTime(10),
        Source = r.GetString(11),
        Version = r.GetInt32(12),
    };
}
