using System.Globalization;
using Backchannel.Abstractions;
using Backchannel.Domain;
using Backchannel.Protocol;
using Npgsql;
using static Backchannel.Storage.Postgres.PostgresParameter;

namespace Backchannel.Storage.Postgres;

/// <summary>
/// Requests in PostgreSQL, shared by every node. Each transition of <see cref="RequestTransitions"/> is one statement: a
/// conditional UPDATE on the status it leaves, with its effects (the pending count, the client's notification, a refresh
/// token) written by data-modifying CTEs fed by the UPDATE's RETURNING, so that they exist exactly when the transition
/// happened, in the same implicit transaction and round trip. Where the effects are made by the caller from the request
/// (a decision, a failure), they are made from the request as the transition will leave it: as this node remembers it
/// (<see cref="RecentRequests"/>: it created or read it), the statement then also conditional on the row being as
/// remembered, or else as read first (a round trip more). The conditional statement decides either way, and a node that
/// loses the race writes nothing.
/// Each client's pending count is spread over shards (<see cref="PendingShards"/>), so that the flows of one client do
/// not queue on one row.
/// Poll times live in the row (<c>last_polled_at</c>): one UPDATE applies the interval rule, whichever node a poll reaches.
/// </summary>
internal sealed class PostgresAuthenticationRequestStore(PostgresDatabase database) : IAuthenticationRequestStore
{
    private readonly RecentRequests _recent = new(RecentRequests.DefaultCapacity, RecentRequests.DefaultBudget);

    private const string Columns =
        "id, auth_req_id_hash, client_id, subject, scope, acr_values, binding_message, login_hint, authorization_details, " +
        "request_context, client_notification_token, delivery_mode, channel, status, created_at, expires_at, interval_seconds, " +
        "decided_at, acr, amr, auth_req_id_sealed, dpop_jkt";

    /// <summary>
    /// <see cref="AuthenticationRequestStatus.Pending"/> as the statements that use the partial indexes on pending requests
    /// spell it: a constant, as in the indexes' predicates (a parameter would keep a generic plan off them).
    /// </summary>
    private static readonly string Pending = ((int)AuthenticationRequestStatus.Pending).ToString(CultureInfo.InvariantCulture);

    /// <summary>How many columns <see cref="Map"/> reads.</summary>
    private const int ColumnCount = 22;

    private const string InsertColumns =
        "id, auth_req_id_hash, client_id, subject, scope, acr_values, binding_message, login_hint, authorization_details, " +
        "request_context, client_notification_token, delivery_mode, channel, status, created_at, expires_at, interval_seconds, auth_req_id_sealed, " +
        "dpop_jkt, pending_shard";

    /// <summary>
    /// How many rows each client's pending count is spread over (<c>client_pending_shards</c>). Every request of a client
    /// changes its count twice (created, then decided or failed), each time holding the row it changes until its
    /// transaction's commit is flushed; in one row, every flow of a client would queue on that lock. A request takes a
    /// shard and keeps it (<c>auth_requests.pending_shard</c>), so that what it takes back comes from the shard it added to.
    /// Not part of the schema: a node with another number reads and changes the same counts correctly.
    /// </summary>
    internal const int PendingShards = 32;

    /// <summary>
    /// The shard a request counts in, from its id (ids are random): what its decision will change is known before it is read,
    /// so that a commit group changes shards in one order (<see cref="PostgresCommitGroups.LockOrder"/>). The same on every
    /// node (FNV-1a of the id); a request counted before in another shard is taken back from the shard it was counted in
    /// (the row's), only its place in a group's order is then not its shard's.
    /// </summary>
    internal static int PendingShardOf(string requestId)
    {
        var hash = 2166136261u;
        foreach (var c in requestId)
        {
            hash = (hash ^ c) * 16777619u;
        }

        return (int)(hash % PendingShards);
    }

    /// <summary>The place in a commit group of a statement that changes only <paramref name="request"/>'s pending count (its creation).</summary>
    private static PostgresCommitGroups.LockOrder PendingCountOf(AuthenticationRequest request) =>
        new(request.ClientId, PendingShardOf(request.Id));

    /// <summary>The place in a commit group of a statement that changes <paramref name="request"/>'s row (and maybe its pending count after it).</summary>
    private static PostgresCommitGroups.LockOrder RowOf(string clientId, string requestId) =>
        new(clientId, PendingShardOf(requestId), requestId);

    /// <summary>
    /// Counts the client's new pending request in shard <c>$3</c> unless the client's count (the sum of its shards) is at
    /// <c>$2</c> (0: no limit), and only then stores the request and its device notification: nothing at all when the
    /// count refuses, or when the request cannot be stored.
    /// The sum is read as the statement's snapshot sees it: requests being created at the same moment (on this node or
    /// another) do not see each other's increments, so concurrent creations may take the count past the limit by at most
    /// the number of creations in flight at once, less one; it never goes further, and a creation that starts after they
    /// committed sees them all. (Counting in one row made creations wait for each other instead, and paid for the exact
    /// bound with every flow of a client queueing on that row.)
    /// </summary>
    private static readonly string CreateRequest =
        "WITH counted AS (INSERT INTO client_pending_shards AS p (client_id, shard, pending) SELECT $1, $3, 1 WHERE $2 = 0 OR " +
        "(SELECT coalesce(sum(s.pending), 0) FROM client_pending_shards s WHERE s.client_id = $1) < $2 " +
        "ON CONFLICT (client_id, shard) DO UPDATE SET pending = p.pending + 1 RETURNING 1), " +
        $"request AS (INSERT INTO auth_requests ({InsertColumns}) SELECT {PostgresSql.Parameters(4, 19)}, $3 FROM counted RETURNING 1)";

    /// <summary>The first parameter of the device notifications in <see cref="Create"/>.</summary>
    private const int FirstMessageParameter = 23;

    /// <summary>
    /// <see cref="CreateRequest"/> with its device notifications, by their number less one: one notification is the
    /// statement's own INSERT (its id, or no row when the count refused); several are one CTE each, and the statement
    /// answers one row of their ids, in order (nulls when the count refused).
    /// </summary>
    private static readonly string[] Create = Enumerable.Range(1, ChannelList.MaxPerRequest).Select(messages => messages == 1
        ? CreateRequest + " " + PostgresOutboxStore.InsertFrom("request", FirstMessageParameter)
        : CreateRequest + string.Concat(Enumerable.Range(0, messages).Select(i =>
              $", m{i} AS ({PostgresOutboxStore.InsertFrom("request", FirstMessageParameter + i * PostgresOutboxStore.InsertParameterCount)})")) +
          " SELECT " + string.Join(", ", Enumerable.Range(0, messages).Select(i => $"(SELECT id FROM m{i})"))).ToArray();

    private static readonly string InsertMessage = PostgresOutboxStore.InsertFrom(null, 1);

    private const string SelectByHash = "SELECT " + Columns + " FROM auth_requests WHERE auth_req_id_hash = $1";
    private const string SelectById = "SELECT " + Columns + " FROM auth_requests WHERE id = $1";

    private static readonly string ListPending =
        "SELECT " + Columns + " FROM auth_requests WHERE subject = $1 AND status = " + Pending + " AND expires_at > $2 ORDER BY created_at, id LIMIT $3";

    /// <summary>
    /// The interval rule of <see cref="CibaGrantRules.Poll"/> in one UPDATE: sooner than the interval after the previous
    /// poll is slow_down and grows the interval by <c>$3</c>. Every SET reads the row as it was; concurrent polls queue on
    /// the row and each sees the one before, so exactly one of simultaneous polls is let through.
    /// </summary>
    private const string RecordPoll =
        "UPDATE auth_requests SET " +
        "last_poll_slowed_down = (last_polled_at IS NOT NULL AND $2 < last_polled_at + interval_seconds * 1000::bigint), " +
        "interval_seconds = CASE WHEN last_polled_at IS NOT NULL AND $2 < last_polled_at + interval_seconds * 1000::bigint " +
        "THEN interval_seconds + $3 ELSE interval_seconds END, " +
        "last_polled_at = $2 WHERE id = $1 RETURNING last_poll_slowed_down, interval_seconds";

    private static readonly string[] Decide = Variants((token, message) =>
    {
        var sql = "WITH decided AS (UPDATE auth_requests SET status = $1, decided_at = $2, acr = $3, amr = $4 WHERE id = $5 AND status = $6 " +
                  "AND expires_at > $2 AND ($7::text IS NULL OR $7 = ANY (string_to_array(channel, ','))) AND " + AsSeen(8) + " RETURNING " + Columns + ", pending_shard), " +
                  "counted AS (" + Uncount("decided") + ")";
        var next = 10;
        if (token)
        {
            sql += ", token AS (" + PostgresRefreshTokenStore.InsertFrom("decided", next) + ")";
            next += PostgresRefreshTokenStore.InsertParameterCount;
        }

        if (message)
        {
            sql += ", message AS (" + PostgresOutboxStore.InsertFrom("decided", next) + ")";
        }

        return sql + " SELECT " + Columns + ", " + (message ? "(SELECT id FROM message)" : "NULL::bigint") + " FROM decided";
    });

    private static readonly string[] Fail = Variants((_, message) =>
        "WITH failed AS (UPDATE auth_requests SET status = $1, decided_at = $2 WHERE id = $3 AND status = $4 AND " + AsSeen(6) +
        " RETURNING " + Columns + ", pending_shard), counted AS (" + Uncount("failed", "$5") + ")" +
        (message ? ", message AS (" + PostgresOutboxStore.InsertFrom("failed", 8) + ")" : "") +
        " SELECT " + Columns + ", " + (message ? "(SELECT id FROM message)" : "NULL::bigint") + " FROM failed");

    /// <summary>
    /// The condition that the row is as the node remembered it (<see cref="RecentRequests"/>): its auth_req_id hash
    /// (<c>$first</c>, the same request) and its interval (<c>$first+1</c>, the one field of a pending request that changes
    /// besides its status); both null when the request was read just before, as the statements always did.
    /// </summary>
    private static string AsSeen(int first) =>
        $"(${first}::bytea IS NULL OR auth_req_id_hash = ${first}) AND (${first + 1}::integer IS NULL OR interval_seconds = ${first + 1})";

    private static NpgsqlParameter[] AsSeen(AuthenticationRequest request, bool remembered) =>
        [Bytes(remembered ? request.AuthReqIdHash : null), Integer(remembered ? request.IntervalSeconds : null)];

    private static readonly string[] Redeem = Variants((token, _) =>
        "WITH redeemed AS (UPDATE auth_requests SET status = $1, redeemed_at = $2 WHERE id = $3 AND status = $4 AND expires_at > $2 RETURNING 1)" +
        (token ? ", token AS (" + PostgresRefreshTokenStore.InsertFrom("redeemed", 5) + ")" : "") +
        " SELECT count(*) FROM redeemed");

    /// <summary>
    /// Marks up to <c>$2</c> ping and push requests that expired undecided by <c>$1</c> told (skipping those another node
    /// is claiming) and takes them out of their clients' pending counts. Marks as well up to <c>$3</c> decided requests whose
    /// expiry passed, which nothing is told of: each leaves the index of requests whose expiry was not looked at once
    /// (migration 70; their decision did not take them out of it, so that it could update the row in place).
    /// </summary>
    private static readonly string ClaimExpired =
        "WITH claimed AS (UPDATE auth_requests SET expiry_notified = true WHERE id IN (SELECT id FROM auth_requests WHERE status = " + Pending +
        " AND NOT expiry_notified AND delivery_mode <> 'poll' AND expires_at <= $1 ORDER BY expires_at LIMIT $2 FOR UPDATE SKIP LOCKED) " +
        "RETURNING " + Columns + ", pending_shard), " +
        "passed AS (UPDATE auth_requests SET expiry_notified = true WHERE id IN (SELECT id FROM auth_requests WHERE status <> " + Pending +
        " AND NOT expiry_notified AND delivery_mode <> 'poll' AND expires_at <= $1 LIMIT $3 FOR UPDATE SKIP LOCKED)), " +
        UncountMany("claimed", null) + " " +
        "SELECT " + Columns + " FROM claimed ORDER BY expires_at, id";

    /// <summary>How many decided requests one claim of expired ones marks passed, per claimed request asked for.</summary>
    private const int PassedPerClaimed = 20;

    /// <summary>
    /// Removes what expired before the cutoff (redeemed or not); undecided requests whose expiry was not notified (poll)
    /// leave the count, and leave their expiry in the audit trail (at the time they expired).
    /// </summary>
    private static readonly string DeleteExpired =
        "WITH deleted AS (DELETE FROM auth_requests WHERE expires_at < $1 " +
        "RETURNING id, client_id, subject, channel, expires_at, pending_shard, status, expiry_notified), " +
        "expired AS (INSERT INTO request_events (request_id, kind, client_id, subject, at, channel) " +
        "SELECT id, $3, client_id, subject, expires_at, channel FROM deleted WHERE status = $2 AND NOT expiry_notified ORDER BY expires_at), " +
        UncountMany("deleted", "status = $2 AND NOT expiry_notified") + " SELECT count(*) FROM deleted";

    /// <summary>The newest <c>$1</c> requests (before <c>$2</c>), walked on the primary key from its end (ids compare as bytes, migration 22).</summary>
    private const string Window = "SELECT id FROM auth_requests ORDER BY id DESC LIMIT $1";
    private const string WindowBefore = "SELECT id FROM auth_requests WHERE id < $2 ORDER BY id DESC LIMIT $1";

    private static readonly string Matching =
        " AND ($3::text IS NULL OR client_id = $3) AND ($4::text IS NULL OR subject = $4) AND (NOT $5 OR (status = " + Pending +
        " AND expires_at > $6)) ORDER BY id DESC LIMIT $7";

    /// <summary>
    /// An UPDATE that takes the request of <paramref name="source"/> (a CTE returning <c>client_id</c> and
    /// <c>pending_shard</c>, one row or none) out of its client's pending count, from the shard it was counted in, when
    /// <paramref name="condition"/> holds.
    /// </summary>
    private static string Uncount(string source, string? condition = null) =>
        $"UPDATE client_pending_shards p SET pending = p.pending - 1 FROM {source} c WHERE " + (condition is null ? "" : condition + " AND ") +
        "p.client_id = c.client_id AND p.shard = c.pending_shard AND p.pending > 0";

    /// <summary>
    /// CTEs (<c>counts</c>, <c>locked</c>, <c>counted</c>) that take the requests of <paramref name="source"/> (a CTE
    /// returning <c>client_id</c> and <c>pending_shard</c>) that meet <paramref name="condition"/> out of their counts.
    /// The shards are locked in one order (client, shard) before they change, so that two of these statements (two nodes
    /// claiming or removing requests of the same clients) cannot deadlock; the other statements change one shard each.
    /// </summary>
    private static string UncountMany(string source, string? condition) =>
        $"counts AS (SELECT client_id, pending_shard, count(*) AS requests FROM {source}" + (condition is null ? "" : " WHERE " + condition) +
        " GROUP BY client_id, pending_shard), " +
        "locked AS (SELECT s.client_id, s.shard FROM client_pending_shards s JOIN counts n ON s.client_id = n.client_id AND s.shard = n.pending_shard " +
        "ORDER BY s.client_id COLLATE \"C\", s.shard FOR UPDATE OF s), " +
        "counted AS (UPDATE client_pending_shards p SET pending = greatest(0, p.pending - n.requests) FROM locked l JOIN counts n " +
        "ON n.client_id = l.client_id AND n.pending_shard = l.shard WHERE p.client_id = l.client_id AND p.shard = l.shard)";

    public async Task<IReadOnlyList<OutboxMessage>?> CreateAsync(AuthenticationRequest request, IReadOnlyList<OutboxMessage> deviceNotifications,
        int maxPendingForClient, CancellationToken cancellationToken)
    {
        if (deviceNotifications.Count is 0 or > ChannelList.MaxPerRequest)
        {
            throw new ArgumentOutOfRangeException(nameof(deviceNotifications), deviceNotifications.Count,
                $"A request has 1 to {ChannelList.MaxPerRequest} device notifications.");
        }

        NpgsqlParameter[] parameters =
        [
            Text(request.ClientId), Integer(maxPendingForClient), Integer(PendingShardOf(request.Id)),
            Text(request.Id), Bytes(request.AuthReqIdHash), Text(request.ClientId), Text(request.Subject), Text(request.Scope), Text(request.AcrValues),
            Text(request.BindingMessage), Text(request.LoginHint), Text(request.AuthorizationDetails), Text(request.RequestContext),
            Text(request.ClientNotificationToken), Text(request.DeliveryMode), Text(request.Channel), Integer((int)request.Status),
            Time(request.CreatedAt), Time(request.ExpiresAt), Integer(request.IntervalSeconds), Bytes(request.SealedAuthReqId),
            Text(request.DpopKeyThumbprint),
            .. deviceNotifications.SelectMany(notification => PostgresOutboxStore.Values(notification)),
        ];
        var sql = Create[deviceNotifications.Count - 1];
        long?[]? ids = deviceNotifications.Count == 1
            ? await database.ScalarGroupedAsync<long?>(sql, parameters, cancellationToken, PendingCountOf(request)) is { } id ? [id] : null
            : await database.QueryFirstGroupedAsync(sql, parameters,
                reader => Enumerable.Range(0, reader.FieldCount).Select(i => reader.IsDBNull(i) ? (long?)null : reader.GetInt64(i)).ToArray(),
                cancellationToken, PendingCountOf(request));
        if (ids is null || ids[0] is null)
        {
            return null;
        }

        _recent.Remember(request);
        return deviceNotifications.Select((notification, i) => notification with { Id = ids[i]!.Value }).ToList();
    }

    /// <summary>
    /// A request this node approved is answered from memory (<see cref="RecentRequests.FindApprovedByHash"/>): what
    /// the token endpoint does with it next, the redemption, is conditional on the row still being approved and unexpired.
    /// </summary>
    public async ValueTask<AuthenticationRequest?> FindByAuthReqIdHashAsync(byte[] authReqIdHash, CancellationToken cancellationToken) =>
        _recent.FindApprovedByHash(authReqIdHash)
        ?? Seen(await database.QueryFirstAsync(SelectByHash, [Bytes(authReqIdHash)], Map, cancellationToken));

    public async ValueTask<AuthenticationRequest?> FindAsync(string id, CancellationToken cancellationToken)
    {
        var request = await database.QueryFirstAsync(SelectById, [Text(id)], Map, cancellationToken);
        if (request is null)
        {
            _recent.Forget(id);
        }

        return Seen(request);
    }

    /// <summary>Remembers a request read that a decision or a failure may still move on; <paramref name="request"/>.</summary>
    private AuthenticationRequest? Seen(AuthenticationRequest? request)
    {
        if (request is { Status: AuthenticationRequestStatus.Pending or AuthenticationRequestStatus.Approved })
        {
            _recent.Remember(request);
        }
        else if (request is not null)
        {
            _recent.Forget(request.Id);
        }

        return request;
    }

    public async Task<IReadOnlyList<AuthenticationRequest>> ListPendingForSubjectAsync(string subject, DateTimeOffset now, int max,
        CancellationToken cancellationToken) =>
        await database.QueryAsync(
            ListPending, [Text(subject), Time(now), Integer(max)], Map, cancellationToken);

    public async ValueTask<PollResult> RecordPollAsync(AuthenticationRequest request, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var rows = await database.QueryGroupedAsync(RecordPoll, [Text(request.Id), Time(now), Integer(CibaGrantRules.SlowDownIncrementSeconds)],
            static reader => new PollResult(reader.GetBoolean(0), reader.GetInt32(1)), cancellationToken, limit: 1,
            RowOf(request.ClientId, request.Id));
        if (rows is [var recorded])
        {
            _recent.Polled(request.Id, recorded.IntervalSeconds);
            return recorded;
        }

        // A request removed meanwhile has no interval to grow: the poll is answered from what was read.
        return CibaGrantRules.Poll(null, request.IntervalSeconds, now);
    }

    /// <summary>
    /// One round trip when this node remembers the request (it created or read it) and the row is still as remembered: the
    /// effects are made from what is remembered, and the statement is conditional on it. Otherwise, or when the row moved
    /// on, the request is read first (a round trip more), as it is, and the effects made from that.
    /// </summary>
    public async Task<DecisionResult> DecideAsync(Decision decision, DateTimeOffset now, Func<AuthenticationRequest, DecisionEffects> effects,
        CancellationToken cancellationToken)
    {
        if (_recent.Find(decision.TransactionId) is { } remembered && Refusal(remembered, decision, now) is null
            && await TryDecideAsync(remembered, true, decision, now, effects, cancellationToken) is { } decided)
        {
            return decided;
        }

        var current = await FindAsync(decision.TransactionId, cancellationToken);
        if (Refusal(current, decision, now) is { } refused)
        {
            return new DecisionResult(refused);
        }

        // Null: another decision (or a failure) was recorded between the read and the update, maybe on another node.
        return await TryDecideAsync(current!, false, decision, now, effects, cancellationToken)
               ?? new DecisionResult(Refusal(await FindAsync(decision.TransactionId, cancellationToken), decision, now) ?? DecisionOutcome.AlreadyDecided);
    }

    /// <summary>
    /// Decides <paramref name="current"/> (as read, or as <paramref name="remembered"/>) with the effects made from it, if
    /// the row is still pending, unexpired (and as remembered); null when it was not.
    /// </summary>
    private async Task<DecisionResult?> TryDecideAsync(AuthenticationRequest current, bool remembered, Decision decision, DateTimeOffset now,
        Func<AuthenticationRequest, DecisionEffects> effects, CancellationToken cancellationToken)
    {
        var status = RequestTransitions.DecidedTo(decision.Approved);
        var (notification, refreshToken) = effects(current with { Status = status, DecidedAt = now, Acr = decision.Acr, Amr = decision.Amr });
        var decided = await database.QueryFirstGroupedAsync(Decide[Variant(refreshToken is not null, notification is not null)],
        [
            Integer((int)status), Time(now), Text(decision.Acr), TextArray(decision.Amr), Text(decision.TransactionId),
            Integer((int)RequestTransitions.DecidedFrom), Text(decision.Channel), .. AsSeen(current, remembered),
            .. refreshToken is null ? [] : PostgresRefreshTokenStore.Values(refreshToken),
            .. notification is null ? [] : PostgresOutboxStore.Values(notification),
        ], MapWithMessage, cancellationToken, RowOf(current.ClientId, current.Id));
        if (decided is null)
        {
            return null;
        }

        // An approved poll or ping request is redeemed next, at the token endpoint: remembered, so that it is not read again.
        if (decided.Request is { Status: AuthenticationRequestStatus.Approved, DeliveryMode: not DeliveryModes.Push })
        {
            _recent.Remember(decided.Request);
        }
        else
        {
            _recent.Forget(decision.TransactionId);
        }
        return new DecisionResult(DecisionOutcome.Decided, decided.Request, notification is null ? null : notification with { Id = decided.MessageId!.Value });
    }

    /// <summary>Why <paramref name="decision"/> cannot decide <paramref name="current"/> at <paramref name="now"/>; null when it can.</summary>
    private static DecisionOutcome? Refusal(AuthenticationRequest? current, Decision decision, DateTimeOffset now) =>
        current is null || (decision.Channel is not null && !current.UsesChannel(decision.Channel)) ? DecisionOutcome.NotFound // nothing to another channel
        : current.Status != RequestTransitions.DecidedFrom ? DecisionOutcome.AlreadyDecided
        : current.IsExpired(now) ? DecisionOutcome.Expired
        : null;

    public async Task<bool> RedeemAsync(string id, DateTimeOffset now, RefreshTokenRecord? refreshToken, CancellationToken cancellationToken)
    {
        _recent.Forget(id);
        return await database.ScalarGroupedAsync<long>(Redeem[Variant(refreshToken is not null, false)],
        [
            Integer((int)AuthenticationRequestStatus.Redeemed), Time(now), Text(id), Integer((int)RequestTransitions.RedeemedFrom),
            .. refreshToken is null ? [] : PostgresRefreshTokenStore.Values(refreshToken),
        ], cancellationToken, refreshToken is null ? null : RowOf(refreshToken.ClientId, id)) == 1;
    }

    public async Task<bool> MarkDeliveredAsync(string id, DateTimeOffset now, CancellationToken cancellationToken)
    {
        _recent.Forget(id);
        return await database.ExecuteAsync("UPDATE auth_requests SET status = $1, redeemed_at = $2 WHERE id = $3 AND status = $4",
            [Integer((int)AuthenticationRequestStatus.Redeemed), Time(now), Text(id), Integer((int)RequestTransitions.RedeemedFrom)],
            cancellationToken) == 1;
    }

    /// <summary>As <see cref="DecideAsync"/>: one round trip when the request is remembered as it still is, two otherwise.</summary>
    public async Task<FailureResult?> FailAsync(string id, FailureCause cause, DateTimeOffset now, Func<AuthenticationRequest, OutboxMessage?> notification,
        CancellationToken cancellationToken)
    {
        var from = RequestTransitions.FailedFrom(cause);
        if (_recent.Find(id) is { } remembered && remembered.Status == from
            && await TryFailAsync(remembered, true, from, now, notification, cancellationToken) is { } failed)
        {
            return failed;
        }

        var current = await FindAsync(id, cancellationToken);
        if (current is null || current.Status != from)
        {
            return null;
        }

        // Null: the request moved on meanwhile (decided, failed), maybe on another node.
        return await TryFailAsync(current, false, from, now, notification, cancellationToken);
    }

    private async Task<FailureResult?> TryFailAsync(AuthenticationRequest current, bool remembered, AuthenticationRequestStatus from, DateTimeOffset now,
        Func<AuthenticationRequest, OutboxMessage?> notification, CancellationToken cancellationToken)
    {
        var message = notification(current with { Status = AuthenticationRequestStatus.Failed, DecidedAt = now });
        var failed = await database.QueryFirstGroupedAsync(Fail[Variant(false, message is not null)],
        [
            Integer((int)AuthenticationRequestStatus.Failed), Time(now), Text(current.Id), Integer((int)from),
            Boolean(from == AuthenticationRequestStatus.Pending), .. AsSeen(current, remembered),
            .. message is null ? [] : PostgresOutboxStore.Values(message),
        ], MapWithMessage, cancellationToken, RowOf(current.ClientId, current.Id));
        if (failed is null)
        {
            return null;
        }

        _recent.Forget(current.Id);
        return new FailureResult(failed.Request, message is null ? null : message with { Id = failed.MessageId!.Value });
    }

    public Task<IReadOnlyList<FailureResult>> ClaimExpiredForNotificationAsync(DateTimeOffset now, int max,
        Func<AuthenticationRequest, OutboxMessage?> notification, CancellationToken cancellationToken) =>
        // Background work: a transaction of three round trips (claim, notifications, commit), so that the notifications
        // are made from the claimed requests and stored with the claim, or neither is.
        database.RunAsync<IReadOnlyList<FailureResult>>(async (connection, token) =>
        {
            await using var transaction = await connection.BeginTransactionAsync(token);
            var claimed = new List<AuthenticationRequest>();
            await using (var command = PostgresDatabase.Command(connection, ClaimExpired, Time(now), Integer(max), Integer(max * PassedPerClaimed)))
            await using (var reader = await command.ExecuteReaderAsync(token))
            {
                while (await reader.ReadAsync(token))
                {
                    claimed.Add(Map(reader));
                }
            }

            var messages = claimed.Select(notification).ToList();
            var stored = await InsertAsync(connection, transaction, messages.OfType<OutboxMessage>().ToList(), token);
            var results = new List<FailureResult>(claimed.Count);
            for (int i = 0, next = 0; i < claimed.Count; i++)
            {
                results.Add(new FailureResult(claimed[i], messages[i] is null ? null : stored[next++]));
            }

            await transaction.CommitAsync(token);
            return results;
        }, cancellationToken);

    /// <summary>Stores <paramref name="messages"/> in <paramref name="transaction"/>, in one round trip; them with their ids.</summary>
    private static async Task<List<OutboxMessage>> InsertAsync(NpgsqlConnection connection, NpgsqlTransaction transaction,
        List<OutboxMessage> messages, CancellationToken cancellationToken)
    {
        var stored = new List<OutboxMessage>(messages.Count);
        if (messages.Count == 0)
        {
            return stored;
        }

        await using var batch = new NpgsqlBatch(connection, transaction);
        foreach (var message in messages)
        {
            batch.BatchCommands.Add(PostgresDatabase.BatchCommand(InsertMessage, PostgresOutboxStore.Values(message)));
        }

        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        foreach (var message in messages)
        {
            await reader.ReadAsync(cancellationToken);
            stored.Add(message with { Id = reader.GetInt64(0) });
            await reader.NextResultAsync(cancellationToken);
        }

        return stored;
    }

    public async Task<int> DeleteExpiredAsync(DateTimeOffset cutoff, CancellationToken cancellationToken)
    {
        _recent.ForgetExpiredBefore(cutoff);
        return (int)await database.ScalarAsync<long>(DeleteExpired,
            [Time(cutoff), Integer((int)AuthenticationRequestStatus.Pending), Text(RequestEventNames.Expired)], cancellationToken);
    }

    public async Task<RequestPage> ListAsync(RequestListQuery query, CancellationToken cancellationToken)
    {
        var window = query.Before is null ? Window : WindowBefore;
        var matches = await database.QueryAsync("SELECT " + Columns + " FROM auth_requests WHERE id IN (" + window + ")" + Matching,
        [
            Integer(query.ScanLimit), Text(query.Before), Text(query.ClientId), Text(query.Subject), Boolean(query.PendingOnly), Time(query.Now),
            Integer(query.Limit + 1),
        ], Map, cancellationToken);
        if (matches.Count > query.Limit)
        {
            matches.RemoveAt(query.Limit);
            return new RequestPage(matches, matches[^1].Id);
        }

        // Fewer matches than asked for: more may lie beyond the examined window if it was full.
        var examined = await database.QueryFirstValueAsync("SELECT count(*), min(id) FROM (" + window + ") w",
            [Integer(query.ScanLimit), Text(query.Before)], static reader => (Count: reader.GetInt64(0), Last: reader.GetNullableString(1)), cancellationToken);
        return new RequestPage(matches, examined is { Count: var count, Last: var last } && count == query.ScanLimit ? last : null);
    }

    /// <summary>The index of a statement variant: with or without a refresh token, with or without a notification.</summary>
    private static int Variant(bool token, bool message) => (token ? 2 : 0) + (message ? 1 : 0);

    private static string[] Variants(Func<bool, bool, string> build) => [build(false, false), build(false, true), build(true, false), build(true, true)];

    private static AuthenticationRequest Map(NpgsqlDataReader r) => new()
    {
        Id = r.GetString(0),
        AuthReqIdHash = r.GetBytes(1),
        ClientId = r.GetString(2),
        Subject = r.GetString(3),
        Scope = r.GetString(4),
        AcrValues = r.GetNullableString(5),
        BindingMessage = r.GetNullableString(6),
        LoginHint = r.GetNullableString(7),
        AuthorizationDetails = r.GetNullableString(8),
        RequestContext = r.GetNullableString(9),
        ClientNotificationToken = r.GetNullableString(10),
        DeliveryMode = r.GetString(11),
        Channel = r.GetString(12),
        Status = (AuthenticationRequestStatus)r.GetInt32(13),
        CreatedAt = r.GetTime(14),
        ExpiresAt = r.GetTime(15),
        IntervalSeconds = r.GetInt32(16),
        DecidedAt = r.GetNullableTime(17),
        Acr = r.GetNullableString(18),
        Amr = r.GetNullableStrings(19),
        SealedAuthReqId = r.GetNullableBytes(20),
        DpopKeyThumbprint = r.GetNullableString(21),
    };

    private static Changed MapWithMessage(NpgsqlDataReader reader) =>
        new(Map(reader), reader.IsDBNull(ColumnCount) ? null : reader.GetInt64(ColumnCount));

    /// <summary>A request as a transition left it, and the id of the notification stored with it.</summary>
    private sealed record Changed(AuthenticationRequest Request, long? MessageId);
}
