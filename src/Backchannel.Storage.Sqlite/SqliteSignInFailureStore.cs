using Backchannel.Abstractions;
using Backchannel.Domain;

namespace Backchannel.Storage.Sqlite;

/// <summary>Failed sign-ins per account: each change is one statement (an upsert that counts and locks in one go).</summary>
internal sealed class SqliteSignInFailureStore(SqliteDatabase database) : ISignInFailureStore
{
    /// <summary>
    /// The count after this failure is 1 when the window ended, else one more; reaching the maximum locks the account and
    /// makes the window last as long as the lockout, so that counting starts afresh after it. (SET sees the old row.)
    /// </summary>
    private const string RecordFailure =
        "INSERT INTO sign_in_failures (account, failures, window_ends_at, locked_until) " +
        "VALUES ($account, 1, CASE WHEN $max <= 1 THEN $lock_end ELSE $window_end END, CASE WHEN $max <= 1 THEN $lock_end ELSE 0 END) " +
        "ON CONFLICT (account) DO UPDATE SET " +
        "failures = CASE WHEN window_ends_at <= $now THEN 1 ELSE failures + 1 END, " +
        "locked_until = CASE WHEN (CASE WHEN window_ends_at <= $now THEN 1 ELSE failures + 1 END) >= $max THEN $lock_end ELSE locked_until END, " +
        "window_ends_at = CASE WHEN (CASE WHEN window_ends_at <= $now THEN 1 ELSE failures + 1 END) >= $max THEN $lock_end " +
        "WHEN window_ends_at <= $now THEN $window_end ELSE window_ends_at END " +
        "RETURNING failures, locked_until";

    public ValueTask<DateTimeOffset?> LockedUntilAsync(string account, DateTimeOffset now, CancellationToken cancellationToken) =>
        ValueTask.FromResult(database.Read(session =>
            session.Scalar("SELECT locked_until FROM sign_in_failures WHERE account = $account AND locked_until > $now",
                ("$account", account), ("$now", UnixTime.ToMs(now))) is long lockedUntil
                ? UnixTime.FromMs(lockedUntil)
                : (DateTimeOffset?)null));

    public Task<SignInFailures> RecordFailureAsync(string account, DateTimeOffset now, SignInLockoutPolicy policy, CancellationToken cancellationToken) =>
        database.WriteAsync(session =>
        {
            using var reader = session.Query(RecordFailure, ("$account", account), ("$now", UnixTime.ToMs(now)), ("$max", policy.MaxFailures),
                ("$window_end", UnixTime.ToMs(now + policy.Window)), ("$lock_end", UnixTime.ToMs(now + policy.LockoutDuration)));
            reader.Read();
            var lockedUntil = reader.GetInt64(1);
            return new SignInFailures(reader.GetInt32(0), lockedUntil > UnixTime.ToMs(now) ? UnixTime.FromMs(lockedUntil) : null);
        });

    public Task ClearAsync(string account, DateTimeOffset now, CancellationToken cancellationToken) =>
        database.WriteAsync(session => session.Execute("DELETE FROM sign_in_failures WHERE account = $account AND locked_until <= $now",
            ("$account", account), ("$now", UnixTime.ToMs(now))));

    public Task<int> DeleteExpiredAsync(DateTimeOffset now, CancellationToken cancellationToken) =>
        database.WriteAsync(session => session.Execute("DELETE FROM sign_in_failures WHERE window_ends_at <= $now AND locked_until <= $now",
            ("$now", UnixTime.ToMs(now))));
}
