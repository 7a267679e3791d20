using System.Threading.Channels;
using Npgsql;

namespace Backchannel.Storage.Postgres;

/// <summary>
/// Group commit for the statements of the flow's hot path (a request created, decided, polled, redeemed, its audit
/// events, its delivered notifications, a refresh token rotated, a jti recorded): what concurrent requests of this node
/// send while a group is at the database waits and goes next, up to <see cref="MaxStatements"/> statements, as one batch:
/// one round trip, one transaction, one commit (one WAL flush), instead of one of each per statement. PostgreSQL's CPU
/// per flow was mostly that fixed cost per statement (the executor's own work is a fraction of it).
/// Each statement stays what it is alone: one conditional statement whose rows only its caller reads (the later statements
/// of a group see what the earlier ones changed, as if they ran one after the other), so correctness across nodes is the
/// statements', not the group's. Grouped statements must return a result set (a RETURNING, or a CTE and a SELECT): each
/// one's result set is how its rows find their caller. A caller is answered once its group committed; a caller that gives
/// up before its statement is sent has it dropped, after that it waits for the statement's real outcome (a write that
/// committed is never reported as failed or cancelled).
/// Failures: when PostgreSQL refuses a statement of a group (a constraint, a deadlock, a lock wait past
/// <see cref="LockTimeout"/>), the group's transaction rolls back, nothing of it happened: the rest of the group runs again
/// as a group and the refused statement alone, off the group's way, so that each caller gets its own statement's outcome.
/// When the database cannot be reached, the group and everything queued behind it fail at once (503 with Retry-After),
/// rather than one group per connection timeout.
/// One group is at the database at a time (one lane per node): groups of one node never wait for each other's row locks.
/// The groups of several nodes may: a group holds the rows its statements changed until it commits. The rows several
/// requests share (a client's pending count, <see cref="PostgresAuthenticationRequestStore.PendingShards"/>) and the
/// requests' own rows are therefore taken in one order by every group, the order of their <see cref="LockOrder"/>, so that
/// two nodes' groups rarely deadlock; the rare rest (two nodes' groups each changing two requests of one client and shard
/// in opposite orders) ends as any deadlock does: PostgreSQL refuses one group after its deadlock_timeout, and the
/// statements run again as above. A group waits for a row lock at most <see cref="LockTimeout"/> (a transaction an
/// operator left open, another node's long one): then it is refused and its statements run again, the blocked one alone.
/// </summary>
internal sealed class PostgresCommitGroups : IAsyncDisposable
{
    /// <summary>The most statements one group sends (the rest go in the next one).</summary>
    public const int MaxStatements = 64;

    /// <summary>How long a group waits for a row lock before it is refused (<c>lock_timeout</c> of the groups' sessions).</summary>
    public static readonly TimeSpan LockTimeout = TimeSpan.FromSeconds(2);

    /// <summary>Sessions with <see cref="LockTimeout"/> (set as they start, no statement per group), for the groups.</summary>
    private readonly NpgsqlDataSource _dataSource;

    /// <summary>The store's pool, without a lock timeout, for a statement that runs alone after its group was refused.</summary>
    private readonly NpgsqlDataSource _aloneSource;
    private readonly Channel<Statement> _queue = Channel.CreateUnbounded<Statement>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task _loop;
    private readonly HashSet<Task> _alone = [];

    /// <param name="dataSource">Sessions whose lock_timeout is <see cref="LockTimeout"/>.</param>
    /// <param name="aloneSource">Sessions without one.</param>
    public PostgresCommitGroups(NpgsqlDataSource dataSource, NpgsqlDataSource aloneSource)
    {
        _dataSource = dataSource;
        _aloneSource = aloneSource;
        _loop = Task.Run(LoopAsync);
    }

    /// <summary>
    /// Runs <paramref name="sql"/> in the next group; its rows (the first <paramref name="limit"/>), mapped. A statement that
    /// changes a request's row or a client's pending count gives its <paramref name="order"/>; the others run first.
    /// </summary>
    public Task<List<T>> QueryAsync<T>(string sql, NpgsqlParameter[] parameters, Func<NpgsqlDataReader, T> map, int limit, LockOrder? order,
        CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var statement = new Statement<T>(sql, parameters, map, limit, order, cancellationToken);
        if (!_queue.Writer.TryWrite(statement))
        {
            throw new ObjectDisposedException(nameof(PostgresCommitGroups));
        }

        return statement.Rows;
    }

    private async Task LoopAsync()
    {
        var group = new List<Statement>(MaxStatements);
        while (await _queue.Reader.WaitToReadAsync())
        {
            while (group.Count < MaxStatements && _queue.Reader.TryRead(out var statement))
            {
                if (!statement.DroppedIfCancelled())
                {
                    group.Add(statement);
                }
            }

            if (group.Count == 0)
            {
                continue;
            }

            // Not a stable sort: statements with no order change no shared row.
            group.Sort(static (a, b) => Nullable.Compare(a.Order, b.Order));
            try
            {
                await RunAsync(group);
            }
            catch (Exception ex)
            {
                FailAll(group, ex); // unexpected: the statements fail, the lane goes on
            }

            group.Clear();
        }
    }

    /// <summary>Runs <paramref name="group"/>, and when PostgreSQL refuses one of its statements, the rest again.</summary>
    private async Task RunAsync(List<Statement> group)
    {
        while (group.Count > 0)
        {
            try
            {
                await RunTogetherAsync(group, _dataSource);
                return;
            }
            catch (Exception caught)
            {
                var failure = Unwrapped(caught);
                if (PostgresFailures.IsUnavailable(failure))
                {
                    FailAllQueued(group, failure);
                    return;
                }

                if (caught is not RefusedException { Statement: var refused } || (group.Count == 1 && !IsLockWait(failure)))
                {
                    FailAll(group, failure); // the statement's own failure (or a bug's)
                    return;
                }

                // Nothing of the group happened. The refused statement goes alone, off the lane (a lock wait waits there as
                // a statement always did); the others go again as a group.
                RunAlone(group[refused]);
                group.RemoveAt(refused);
            }
        }
    }

    /// <summary>What PostgreSQL or the connection reported, without the group's wrapping.</summary>
    private static Exception Unwrapped(Exception exception) => exception is RefusedException refused ? refused.InnerException! : exception;

    /// <summary>A lock waited for past the groups' lock timeout, or a deadlock: no fault of the statement's.</summary>
    private static bool IsLockWait(Exception failure) =>
        failure is PostgresException { SqlState: PostgresErrorCodes.LockNotAvailable or PostgresErrorCodes.DeadlockDetected };

    private static int IndexOf(IReadOnlyList<Statement> group, NpgsqlBatchCommand command)
    {
        for (var i = 0; i < group.Count; i++)
        {
            if (ReferenceEquals(group[i].Command, command))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>Runs <paramref name="statement"/> in a transaction of its own, beside the lane (awaited at disposal).</summary>
    private void RunAlone(Statement statement)
    {
        var task = Task.Run(async () =>
        {
            try
            {
                await RunTogetherAsync([statement], _aloneSource);
            }
            catch (Exception ex)
            {
                statement.Fail(Unwrapped(ex));
            }
        });
        lock (_alone)
        {
            _alone.Add(task);
        }

        task.ContinueWith(done =>
        {
            lock (_alone)
            {
                _alone.Remove(done);
            }
        }, TaskScheduler.Default);
    }

    /// <summary>The database does not answer: the group fails, and what waits behind it, which would meet the same.</summary>
    private void FailAllQueued(List<Statement> group, Exception exception)
    {
        FailAll(group, exception);
        while (_queue.Reader.TryRead(out var queued))
        {
            queued.Fail(exception);
        }
    }

    private static void FailAll(List<Statement> group, Exception exception)
    {
        foreach (var statement in group)
        {
            statement.Fail(exception);
        }
    }

    /// <summary>
    /// Runs <paramref name="group"/> as one batch and answers each statement once the batch committed; throws when the
    /// batch fails (nothing of it happened then, but for a connection lost at the commit, which no one can tell).
    /// </summary>
    private static async Task RunTogetherAsync(IReadOnlyList<Statement> group, NpgsqlDataSource dataSource)
    {
        await using (var batch = dataSource.CreateBatch())
        {
            try
            {
                foreach (var statement in group)
                {
                    statement.Reset();
                    statement.Command = PostgresDatabase.BatchCommand(statement.Sql, statement.Parameters);
                    batch.BatchCommands.Add(statement.Command);
                }

                // Which statement's result the reader is moving to: PostgreSQL's refusal of a statement comes as the reader
                // reaches it.
                var current = 0;
                try
                {
                    await using var reader = await batch.ExecuteReaderAsync();
                    for (var i = 0; i < group.Count; i++)
                    {
                        if (i > 0)
                        {
                            current = i;
                            if (!await reader.NextResultAsync())
                            {
                                throw new InvalidOperationException($"A grouped statement returned no result set: {group[i].Sql}");
                            }
                        }

                        if (reader.FieldCount == 0)
                        {
                            throw new InvalidOperationException($"A grouped statement returned no result set: {group[i].Sql}");
                        }

                        while (await reader.ReadAsync())
                        {
                            group[i].Read(reader);
                        }
                    }
                }
                catch (PostgresException ex)
                {
                    var named = ex.BatchCommand is { } command ? IndexOf(group, command) : -1;
                    throw new RefusedException(named >= 0 ? named : current, ex);
                }
            }
            finally
            {
                // A parameter belongs to one command at a time: the statements may run again.
                foreach (var command in batch.BatchCommands)
                {
                    command.Parameters.Clear();
                }
            }
        }

        foreach (var statement in group)
        {
            statement.Succeed();
        }
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _loop;
        Task[] alone;
        lock (_alone)
        {
            alone = [.. _alone];
        }

        await Task.WhenAll(alone);
    }

    /// <summary>PostgreSQL refused statement <see cref="Statement"/> of a group (<see cref="Exception.InnerException"/>).</summary>
    private sealed class RefusedException(int statement, PostgresException refusal) : Exception(refusal.Message, refusal)
    {
        public int Statement { get; } = statement;
    }

    /// <summary>
    /// The place of a statement that changes a client's pending count (its shard) or a request's row among the statements
    /// of a group: by client (ordinal, as <c>COLLATE "C"</c> orders), shard, then request (a statement that changes only the
    /// shard, a creation, after those of requests).
    /// </summary>
    public readonly record struct LockOrder(string ClientId, int Shard, string? RequestId = null) : IComparable<LockOrder>
    {
        public int CompareTo(LockOrder other) =>
            string.CompareOrdinal(ClientId, other.ClientId) is var byClient and not 0 ? byClient
            : Shard.CompareTo(other.Shard) is var byShard and not 0 ? byShard
            : (RequestId, other.RequestId) switch
            {
                (null, null) => 0,
                (null, _) => 1,
                (_, null) => -1,
                var (a, b) => string.CompareOrdinal(a, b),
            };
    }

    private abstract class Statement(string sql, NpgsqlParameter[] parameters, LockOrder? order, CancellationToken cancellationToken)
    {
        public string Sql { get; } = sql;

        public NpgsqlParameter[] Parameters { get; } = parameters;

        public LockOrder? Order { get; } = order;

        /// <summary>The statement in the batch it was last sent in.</summary>
        public NpgsqlBatchCommand? Command { get; set; }

        /// <summary>Whether the caller gave up before the statement was sent: then it is answered cancelled and not sent.</summary>
        public bool DroppedIfCancelled()
        {
            if (!cancellationToken.IsCancellationRequested)
            {
                return false;
            }

            Cancel(cancellationToken);
            return true;
        }

        /// <summary>Forgets the rows of an attempt before (a group that was refused).</summary>
        public abstract void Reset();

        /// <summary>Takes the reader's current row.</summary>
        public abstract void Read(NpgsqlDataReader reader);

        /// <summary>The group committed: the rows go to the caller (or what mapping them threw).</summary>
        public abstract void Succeed();

        public abstract void Fail(Exception exception);

        protected abstract void Cancel(CancellationToken cancellationToken);
    }

    private sealed class Statement<T>(string sql, NpgsqlParameter[] parameters, Func<NpgsqlDataReader, T> map, int limit, LockOrder? order,
        CancellationToken cancellationToken)
        : Statement(sql, parameters, order, cancellationToken)
    {
        private readonly TaskCompletionSource<List<T>> _rows = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly List<T> _read = new(limit == 1 ? 1 : 4);
        private Exception? _mapFailed;

        public Task<List<T>> Rows => _rows.Task;

        public override void Reset()
        {
            _read.Clear();
            _mapFailed = null;
        }

        public override void Read(NpgsqlDataReader reader)
        {
            if (_read.Count >= limit || _mapFailed is not null)
            {
                return;
            }

            try
            {
                _read.Add(map(reader));
            }
            catch (Exception ex)
            {
                _mapFailed = ex; // this caller's failure, not the group's: the others' rows committed
            }
        }

        public override void Succeed()
        {
            if (_mapFailed is { } failed)
            {
                _rows.TrySetException(failed);
            }
            else
            {
                _rows.TrySetResult(_read);
            }
        }

        public override void Fail(Exception exception) => _rows.TrySetException(exception);

        protected override void Cancel(CancellationToken cancellationToken) => _rows.TrySetCanceled(cancellationToken);
    }
}
