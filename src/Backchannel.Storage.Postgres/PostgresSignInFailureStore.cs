using Backchannel.Abstractions;
using Backchannel.Domain;
using static Backchannel.Storage.Postgres.PostgresParameter;

namespace Backchannel.Storage.Postgres;

/// <summary>
/// Failed sign-ins per account, on every node: each change is one statement (an upsert that counts and locks in one go;
/// the row lock of the conflicting row orders concurrent failures).
/// </summary>
internal sealed class PostgresSignInFailureStore(PostgresDatabase database) : ISignInFailureStore
{
    /// <summary>
    /// The count after this failure is 1 when the window ended, else one more; reaching the maximum locks the account and
    /// makes the window last as long as the lockout, so that counting starts afresh after it. (SET sees the old row.)
    /// $1 account, $2 now, $3 max, $4 end of a new window, $5 end of a lockout.
    /// </summary>
    private const string RecordFailure =
        "INSERT INTO sign_in_failures AS f (account, failures, window_ends_at, locked_until) " +
        "VALUES ($1, 1, CASE WHEN $3 <= 1 THEN $5 ELSE $4 END, CASE WHEN $3 <= 1 THEN $5 ELSE 0 END) " +
        "ON CONFLICT (account) DO UPDATE SET " +
        "failures = CASE WHEN f.window_ends_at <= $2 THEN 1 ELSE f.failures + 1 END, " +
        "locked_until = CASE WHEN (CASE WHEN f.window_ends_at <= $2 THEN 1 ELSE f.failures + 1 END) >= $3 THEN $5 ELSE f.locked_until END, " +
        "window_ends_at = CASE WHEN (CASE WHEN f.window_ends_at <= $2 THEN 1 ELSE f.failures + 1 END) >= $3 THEN $5 " +
        "WHEN f.window_ends_at <= $2 THEN $4 ELSE f.window_ends_at END " +
        "RETURNING failures, locked_until";

    public async ValueTask<DateTimeOffset?> LockedUntilAsync(string account, DateTimeOffset now, CancellationToken cancellationToken) =>
        await database.QueryFirstValueAsync("SELECT locked_until FROM sign_in_failures WHERE account = $1 AND locked_until > $2",
            [Text(account), Time(now)], reader => reader.GetTime(0), cancellationToken);

    public async Task<SignInFailures> RecordFailureAsync(string account, DateTimeOffset now, SignInLockoutPolicy policy,
        CancellationToken cancellationToken)
    {
        var rows = await database.QueryAsync(RecordFailure,
            [Text(account), Time(now), Integer(policy.MaxFailures), Time(now + policy.Window), Time(now + policy.LockoutDuration)],
            reader => (Failures: reader.GetInt32(0), LockedUntil: reader.GetTime(1)), cancellationToken);
        var (failures, lockedUntil) = rows[0];
        return new SignInFailures(failures, lockedUntil > now ? lockedUntil : null);
    }

    public Task ClearAsync(string account, DateTimeOffset now, CancellationToken cancellationToken) =>
        database.ExecuteAsync("DELETE FROM sign_in_failures WHERE account = $1 AND locked_until <= $2", [Text(account), Time(now)], cancellationToken);

    public Task<int> DeleteExpiredAsync(DateTimeOffset now, CancellationToken cancellationToken) =>
        database.ExecuteAsync("DELETE FROM sign_in_failures WHERE window_ends_at <= $1 AND locked_until <= $1", [Time(now)], cancellationToken);
}
