using Backchannel.Abstractions;
using Backchannel.Domain;
using Microsoft.Data.Sqlite;

namespace Backchannel.Storage.Sqlite;

internal sealed class SqliteUserStore(SqliteDatabase database) : IUserStore
{
    private const string Columns =
        "sub, username, email, phone_number, name, password_hash, user_code_hash, channel, claims, updated_at, disabled_at, source, version";

    /// <summary>
    /// Whether a user other than <c>$sub</c> has one of the identifiers <c>$v1</c>..<c>$v4</c> as any of its own (a
    /// login_hint must name one user; e-mail addresses compare without case, as they are found).
    /// </summary>
    private const string IdentifierTaken =
        "SELECT EXISTS (SELECT 1 FROM users WHERE sub <> $sub AND (sub IN ($v1, $v2, $v3, $v4) OR username IN ($v1, $v2, $v3, $v4) " +
        "OR email IN ($v1, $v2, $v3, $v4) OR phone_number IN ($v1, $v2, $v3, $v4)))";

    public Task UpsertAsync(UserRecord user, CancellationToken cancellationToken) =>
        database.WriteAsync(session =>
        {
            // A configured user may change its username, e-mail or phone: free them from any other row first.
            session.Execute("DELETE FROM users WHERE sub <> $sub AND (username = $username OR email = $email OR phone_number = $phone)",
                ("$sub", user.Subject), ("$username", user.Username), ("$email", user.Email), ("$phone", user.PhoneNumber));
            return session.Execute(
                "INSERT INTO users (" + Columns + ") VALUES ($sub, $username, $email, $phone, $name, $password, $user_code, $channel, $claims, $updated, " +
                "NULL, $source, 1) " +
                "ON CONFLICT (sub) DO UPDATE SET username = excluded.username, email = excluded.email, phone_number = excluded.phone_number, " +
                "name = excluded.name, password_hash = excluded.password_hash, user_code_hash = excluded.user_code_hash, " +
                "channel = excluded.channel, claims = excluded.claims, updated_at = excluded.updated_at, source = excluded.source, version = version + 1",
                Values(user));
        });

    public Task<IReadOnlyList<UserRecord>> ListAsync(string? after, int limit, CancellationToken cancellationToken) =>
        Task.FromResult(database.Read<IReadOnlyList<UserRecord>>(session => (after is null
                ? session.Query("SELECT " + Columns + " FROM users ORDER BY sub LIMIT $limit", ("$limit", limit))
                : session.Query("SELECT " + Columns + " FROM users WHERE sub > $after ORDER BY sub LIMIT $limit", ("$after", after), ("$limit", limit)))
            .ReadAll(Map)));

    public Task<UserWriteResult> CreateAsync(UserRecord user, CancellationToken cancellationToken) =>
        database.WriteAsync(session =>
        {
            // The one writer: nothing changes between the checks and the insert.
            if (session.Scalar("SELECT EXISTS (SELECT 1 FROM users WHERE sub = $sub)", ("$sub", user.Subject)) is 1L)
            {
                return UserWriteResult.Exists;
            }

            if (IsIdentifierTaken(session, user))
            {
                return UserWriteResult.IdentifierTaken;
            }

            session.Execute("INSERT INTO users (" + Columns + ") VALUES ($sub, $username, $email, $phone, $name, $password, $user_code, $channel, " +
                "$claims, $updated, $disabled, $source, 1)", Values(user));
            return UserWriteResult.Written;
        });

    public Task<UserWriteResult> ReplaceAsync(UserRecord user, int expectedVersion, CancellationToken cancellationToken) =>
        database.WriteAsync(session =>
        {
            if (IsIdentifierTaken(session, user))
            {
                return UserWriteResult.IdentifierTaken;
            }

            if (session.Execute("UPDATE users SET username = $username, email = $email, phone_number = $phone, name = $name, " +
                    "password_hash = $password, user_code_hash = $user_code, channel = $channel, claims = $claims, updated_at = $updated, " +
                    "disabled_at = $disabled, version = version + 1 WHERE sub = $sub AND version = $expected",
                    [.. Values(user), ("$expected", expectedVersion)]) == 1)
            {
                return UserWriteResult.Written;
            }

            return session.Scalar("SELECT EXISTS (SELECT 1 FROM users WHERE sub = $sub)", ("$sub", user.Subject)) is 1L
                ? UserWriteResult.VersionChanged
                : UserWriteResult.NotFound;
        });

    private static bool IsIdentifierTaken(SqliteSession session, UserRecord user) =>
        session.Scalar(IdentifierTaken, ("$sub", user.Subject), ("$v1", user.Subject), ("$v2", user.Username), ("$v3", user.Email),
            ("$v4", user.PhoneNumber)) is 1L;

    private static (string, object?)[] Values(UserRecord user) =>
    [
        ("$sub", user.Subject), ("$username", user.Username), ("$email", user.Email), ("$phone", user.PhoneNumber),
        ("$name", user.Name), ("$password", user.PasswordHash), ("$user_code", user.UserCodeHash), ("$channel", user.Channel),
        ("$claims", StorageJson.SerializeClaims(user.Claims)), ("$updated", UnixTime.ToMs(user.UpdatedAt)), ("$disabled", UnixTime.ToMs(user.DisabledAt)),
        ("$source", user.Source),
    ];

    public Task<int> DeleteConfiguredExceptAsync(IReadOnlyList<string> subjects, CancellationToken cancellationToken) =>
        database.WriteAsync(session =>
        {
            var keep = new HashSet<string>(subjects, StringComparer.Ordinal);
            var stale = new List<string>();
            using (var reader = session.Query("SELECT sub FROM users WHERE source = 'config'"))
            {
                while (reader.Read())
                {
                    if (!keep.Contains(reader.GetString(0)))
                    {
                        stale.Add(reader.GetString(0));
                    }
                }
            }

            foreach (var subject in stale)
            {
                session.Execute("DELETE FROM users WHERE sub = $sub", ("$sub", subject));
            }

            return stale.Count;
        });

    public ValueTask<UserRecord?> FindBySubjectAsync(string subject, CancellationToken cancellationToken) =>
        FindByAttributeAsync(UserAttribute.Subject, subject, cancellationToken);

    /// <summary>The one user whose sub, username, e-mail or phone number is <paramref name="identifier"/>; none when two users have it.</summary>
    public ValueTask<UserRecord?> FindByIdentifierAsync(string identifier, CancellationToken cancellationToken) =>
        ValueTask.FromResult(database.Read(session =>
        {
            using var reader = session.Query(
                "SELECT " + Columns + " FROM users WHERE sub = $v OR username = $v OR email = $v OR phone_number = $v LIMIT 2", ("$v", identifier));
            var first = reader.Read() ? Map(reader) : null;
            return first is not null && !reader.Read() ? first : null;
        }));

    public ValueTask<UserRecord?> FindByAttributeAsync(UserAttribute attribute, string value, CancellationToken cancellationToken)
    {
        var sql = attribute switch
        {
            UserAttribute.Subject => "SELECT " + Columns + " FROM users WHERE sub = $v",
            UserAttribute.Username => "SELECT " + Columns + " FROM users WHERE username = $v",
            UserAttribute.Email => "SELECT " + Columns + " FROM users WHERE email = $v",
            _ => "SELECT " + Columns + " FROM users WHERE phone_number = $v",
        };
        return ValueTask.FromResult(database.Read(session => session.Query(sql, ("$v", value)).ReadFirst(Map)));
    }

    private static UserRecord Map(SqliteDataReader r) => new()
    {
        Subject = r.GetString(0),
        Username = r.GetNullableString(1),
        Email = r.GetNullableString(2),
        PhoneNumber = r.GetNullableString(3),
        Name = r.GetNullableString(4),
        PasswordHash = r.GetNullableString(5),
        UserCodeHash = r.GetNullableString(6),
        Channel = r.GetNullableString(7),
        Claims = r.IsDBNull(8) ? new Dictionary<string, string>() : StorageJson.DeserializeClaims(r.GetString(8)),
        UpdatedAt = UnixTime.FromMs(r.GetInt64(9)),
        DisabledAt = r.IsDBNull(10) ? null : UnixTime.FromMs(r.GetInt64(10)),
        Source = r.GetString(11),
        Version = r.GetInt32(12),
    };
}
