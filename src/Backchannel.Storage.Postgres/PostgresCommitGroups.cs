using System.Threading.Channels;
using Npgsql;

namespace Backchannel.Storage.Postgres;

/// <summary>
/// Group commit for the statements of the flow's hot path (a request created, decided, redeemed, its audit events, its
/// delivered notifications): what concurrent requests of this node send while a group is at the database waits and goes
/// next, up to <see cref="MaxStatements"/> statements, as one batch: one round trip, one transaction, one commit (one WAL
/// flush), instead of one of each per statement. PostgreSQL's CPU per flow was mostly that fixed cost per statement (the
/// executor's own work is a fraction of it).
/// Each statement stays what it is alone: one conditional statement whose rows its caller reads (the later statements of
/// a group see what the earlier ones changed, as if they ran one after the other), so correctness across nodes is the
/// statements', not the group's. Grouped statements must return rows (a RETURNING, or a CTE and a SELECT): each one's result
/// set is how its rows find their caller. A group is answered once its transaction committed.
/// When the database refuses a statement of a group (an error it reports: the group's transaction rolled back, nothing of
/// it happened, e.g. a deadlock with another node's group), every statement of the group runs again alone, so that each
/// caller gets its own statement's outcome. When the connection fails, every statement of the group fails as a single
/// statement would (StoreUnavailableException; whether the commit happened is then unknown either way).
/// One group is at the database at a time (one lane per node): groups of one node never wait for each other's row locks.
/// The groups of several nodes may: a group is a transaction that holds the rows its statements changed until it commits.
/// The rows several requests share (a client's pending count, <see cref="PostgresAuthenticationRequestStore.PendingShards"/>)
/// are therefore changed in one order by every group, the order of their <see cref="LockOrder"/> (the order in which the
/// statements that change several of them at once lock them), so that two nodes' groups cannot deadlock on them. (What
/// remains, two nodes' groups each changing the same two requests in opposite orders, ends as any deadlock does: PostgreSQL
/// refuses one group after its deadlock_timeout, and its statements run again alone.)
/// </summary>
internal sealed class PostgresCommitGroups : IAsyncDisposable
{
    /// <summary>The most statements one group sends (the rest go in the next one).</summary>
    public const int MaxStatements = 64;

    private readonly NpgsqlDataSource _dataSource;
    private readonly Channel<Statement> _queue = Channel.CreateUnbounded<Statement>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task _loop;

    public PostgresCommitGroups(NpgsqlDataSource dataSource)
    {
        _dataSource = dataSource;
        _loop = Task.Run(LoopAsync);
    }

    /// <summary>
    /// Runs <paramref name="sql"/> in the next group; its rows (the first <paramref name="limit"/>), mapped. A statement that
    /// changes a shared row gives its <paramref name="order"/>; the others run first, in the order they came.
    /// </summary>
    public Task<List<T>> QueryAsync<T>(string sql, NpgsqlParameter[] parameters, Func<NpgsqlDataReader, T> map, int limit, LockOrder? order,
        CancellationToken cancellationToken)
    {
        var statement = new Statement<T>(sql, parameters, map, limit, order);
        if (!_queue.Writer.TryWrite(statement))
        {
            throw new ObjectDisposedException(nameof(PostgresCommitGroups));
        }

        return statement.Rows.WaitAsync(cancellationToken);
    }

    private async Task LoopAsync()
    {
        var group = new List<Statement>(MaxStatements);
        while (await _queue.Reader.WaitToReadAsync())
        {
            while (group.Count < MaxStatements && _queue.Reader.TryRead(out var statement))
            {
                group.Add(statement);
            }

            if (group.Count > 1)
            {
                // Not a stable sort: statements with the same order change the same row, one after the other in either order,
                // and those with none change no shared row.
                group.Sort(static (a, b) => Nullable.Compare(a.Order, b.Order));
            }

            await RunAsync(group);
            group.Clear();
        }
    }

    private async Task RunAsync(List<Statement> group)
    {
        try
        {
            await RunTogetherAsync(group);
        }
        catch (PostgresException) when (group.Count > 1)
        {
            await Task.WhenAll(group.Select(statement => RunTogetherAsync([statement])));
        }
        catch (Exception ex)
        {
            foreach (var statement in group)
            {
                statement.Fail(ex);
            }
        }
    }

    /// <summary>Runs <paramref name="group"/> as one batch and answers each statement; throws when the batch fails.</summary>
    private async Task RunTogetherAsync(IReadOnlyList<Statement> group)
    {
        try
        {
            await using var batch = _dataSource.CreateBatch();
            try
            {
                foreach (var statement in group)
                {
                    statement.Reset();
                    batch.BatchCommands.Add(PostgresDatabase.BatchCommand(statement.Sql, statement.Parameters));
                }

                await using var reader = await batch.ExecuteReaderAsync();
                for (var i = 0; i < group.Count; i++)
                {
                    if (i > 0 && !await reader.NextResultAsync())
                    {
                        throw new InvalidOperationException($"A grouped statement returned no rows: {group[i].Sql}");
                    }

                    while (await reader.ReadAsync())
                    {
                        group[i].Read(reader);
                    }
                }
            }
            finally
            {
                // A parameter belongs to one command at a time: the statements may run again alone.
                foreach (var command in batch.BatchCommands)
                {
                    command.Parameters.Clear();
                }
            }
        }
        catch (Exception ex) when (group.Count == 1)
        {
            group[0].Fail(ex);
            return;
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
    }

    /// <summary>
    /// The place of a statement that changes a client's pending count (its shard) among the statements of a group: by
    /// client (ordinal, as <c>COLLATE "C"</c> orders), then shard.
    /// </summary>
    public readonly record struct LockOrder(string ClientId, int Shard) : IComparable<LockOrder>
    {
        public int CompareTo(LockOrder other) =>
            string.CompareOrdinal(ClientId, other.ClientId) is var byClient and not 0 ? byClient : Shard.CompareTo(other.Shard);
    }

    private abstract class Statement(string sql, NpgsqlParameter[] parameters, LockOrder? order)
    {
        public string Sql { get; } = sql;

        public LockOrder? Order { get; } = order;

        public NpgsqlParameter[] Parameters { get; } = parameters;

        /// <summary>Forgets the rows of an attempt before (a group that failed, run again alone).</summary>
        public abstract void Reset();

        /// <summary>Takes the reader's current row.</summary>
        public abstract void Read(NpgsqlDataReader reader);

        /// <summary>The group committed: the rows go to the caller.</summary>
        public abstract void Succeed();

        public abstract void Fail(Exception exception);
    }

    private sealed class Statement<T>(string sql, NpgsqlParameter[] parameters, Func<NpgsqlDataReader, T> map, int limit, LockOrder? order)
        : Statement(sql, parameters, order)
    {
        private readonly TaskCompletionSource<List<T>> _rows = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly List<T> _read = new(limit == 1 ? 1 : 4);

        public Task<List<T>> Rows => _rows.Task;

        public override void Reset() => _read.Clear();

        public override void Read(NpgsqlDataReader reader)
        {
            if (_read.Count < limit)
            {
                _read.Add(map(reader));
            }
        }

        public override void Succeed() => _rows.TrySetResult(_read);

        public override void Fail(Exception exception) => _rows.TrySetException(exception);
    }
}
