using Backchannel.Abstractions;
using Backchannel.Domain;
using Microsoft.Data.Sqlite;

namespace Backchannel.Storage.Sqlite;

/// <summary>
/// Requests in SQLite. Each transition of <see cref="RequestTransitions"/> is one UPDATE conditional on the status it
/// leaves, whose row count (or RETURNING row) says whether it happened. Poll times are kept in this process's memory
/// (<see cref="PollTimes"/>): the embedded store serves one process, and a poll should not cost a write. A request this
/// process approved is found by its auth_req_id hash without a read (<see cref="RecentRequests.FindApprovedByHash"/>):
/// the redemption that follows is conditional on the row still being approved and unexpired.
/// </summary>
internal sealed class SqliteAuthenticationRequestStore(SqliteDatabase database) : IAuthenticationRequestStore
{
    private readonly PollTimes _polls = new();
    private readonly RecentRequests _approved = new(RecentRequests.DefaultCapacity, RecentRequests.DefaultBudget);

    private const string Columns =
        "id, auth_req_id_hash, client_id, subject, scope, acr_values, binding_message, login_hint, authorization_details, " +
        "request_context, client_notification_token, delivery_mode, channel, status, created_at, expires_at, interval_seconds, " +
        "decided_at, acr, amr, auth_req_id_sealed, dpop_jkt";

    private const string Insert =
        "INSERT INTO auth_requests (" + Columns + ") VALUES ($id, $hash, $client_id, $subject, $scope, $acr_values, $binding_message, " +
        "$login_hint, $authorization_details, $request_context, $client_notification_token, $delivery_mode, $channel, $status, " +
        "$created_at, $expires_at, $interval, NULL, NULL, NULL, $sealed, $dpop_jkt)";

    private const string SelectByHash = "SELECT " + Columns + " FROM auth_requests WHERE auth_req_id_hash = $hash";
    private const string SelectById = "SELECT " + Columns + " FROM auth_requests WHERE id = $id";

    private const string Decide =
        "UPDATE auth_requests SET status = $to, decided_at = $now, acr = $acr, amr = $amr " +
        "WHERE id = $id AND status = $from AND expires_at > $now AND ($channel IS NULL OR " + UsesChannel + ") RETURNING " + Columns;

    /// <summary>Whether <c>$channel</c> is one of the request's channels (<see cref="ChannelList"/>: names separated by commas).</summary>
    private const string UsesChannel = "instr($channel, ',') = 0 AND instr(',' || channel || ',', ',' || $channel || ',') > 0";

    /// <summary>Counts a new pending request of a client, unless the client is at <c>$max</c> (0: no limit); one row changed when counted.</summary>
    private const string CountPending =
        "INSERT INTO client_pending (client_id, pending) VALUES ($client_id, 1) ON CONFLICT (client_id) DO UPDATE SET pending = pending + 1 " +
        "WHERE $max = 0 OR pending < $max";

    private const string UncountPending = "UPDATE client_pending SET pending = pending - 1 WHERE client_id = $client_id AND pending > 0";

    public Task<IReadOnlyList<OutboxMessage>?> CreateAsync(AuthenticationRequest request, IReadOnlyList<OutboxMessage> deviceNotifications,
        int maxPendingForClient, CancellationToken cancellationToken) =>
        database.WriteAsync<IReadOnlyList<OutboxMessage>?>(session =>
        {
            if (session.Execute(CountPending, ("$client_id", request.ClientId), ("$max", maxPendingForClient)) == 0)
            {
                return null;
            }

            session.Execute(Insert,
                ("$id", request.Id), ("$hash", request.AuthReqIdHash), ("$client_id", request.ClientId), ("$subject", request.Subject),
                ("$scope", request.Scope), ("$acr_values", request.AcrValues), ("$binding_message", request.BindingMessage),
                ("$login_hint", request.LoginHint), ("$authorization_details", request.AuthorizationDetails),
                ("$request_context", request.RequestContext), ("$client_notification_token", request.ClientNotificationToken),
                ("$delivery_mode", request.DeliveryMode), ("$channel", request.Channel), ("$status", (int)request.Status),
                ("$created_at", UnixTime.ToMs(request.CreatedAt)), ("$expires_at", UnixTime.ToMs(request.ExpiresAt)),
                ("$interval", request.IntervalSeconds), ("$sealed", request.SealedAuthReqId),
                ("$dpop_jkt", request.DpopKeyThumbprint));
            return deviceNotifications.Select(notification => SqliteOutboxStore.Insert(session, notification)).ToList();
        });

    public ValueTask<AuthenticationRequest?> FindByAuthReqIdHashAsync(byte[] authReqIdHash, CancellationToken cancellationToken) =>
        ValueTask.FromResult(_approved.FindApprovedByHash(authReqIdHash)
            ?? database.Read(session => session.Query(SelectByHash, ("$hash", authReqIdHash)).ReadFirst(Map)));

    public ValueTask<AuthenticationRequest?> FindAsync(string id, CancellationToken cancellationToken) =>
        ValueTask.FromResult(database.Read(session => session.Query(SelectById, ("$id", id)).ReadFirst(Map)));

    public Task<IReadOnlyList<AuthenticationRequest>> ListPendingForSubjectAsync(string subject, DateTimeOffset now, int max,
        CancellationToken cancellationToken) =>
        Task.FromResult(database.Read<IReadOnlyList<AuthenticationRequest>>(session => session.Query(
            "SELECT " + Columns + " FROM auth_requests WHERE subject = $subject AND status = $pending AND expires_at > $now ORDER BY created_at LIMIT $max",
            ("$subject", subject), ("$pending", (int)AuthenticationRequestStatus.Pending), ("$now", UnixTime.ToMs(now)), ("$max", max)).ReadAll(Map)));

    /// <summary>The newest <c>$scan</c> requests (before <c>$before</c>), walked on the primary key from its end.</summary>
    private const string Window = "SELECT id FROM auth_requests ORDER BY id DESC LIMIT $scan";
    private const string WindowBefore = "SELECT id FROM auth_requests WHERE id < $before ORDER BY id DESC LIMIT $scan";

    private const string Matching =
        " AND ($client_id IS NULL OR client_id = $client_id) AND ($subject IS NULL OR subject = $subject) " +
        "AND ($pending_only = 0 OR (status = $pending AND expires_at > $now)) ORDER BY id DESC LIMIT $limit";

    public Task<RequestPage> ListAsync(RequestListQuery query, CancellationToken cancellationToken) =>
        Task.FromResult(database.Read(session =>
        {
            var window = query.Before is null ? Window : WindowBefore;
            var matches = session.Query("SELECT " + Columns + " FROM auth_requests WHERE id IN (" + window + ")" + Matching,
                ("$before", query.Before), ("$scan", query.ScanLimit), ("$client_id", query.ClientId), ("$subject", query.Subject),
                ("$pending_only", query.PendingOnly ? 1 : 0), ("$pending", (int)AuthenticationRequestStatus.Pending),
                ("$now", UnixTime.ToMs(query.Now)), ("$limit", query.Limit + 1)).ReadAll(Map);
            if (matches.Count > query.Limit)
            {
                matches.RemoveAt(query.Limit);
                return new RequestPage(matches, matches[^1].Id);
            }

            // Fewer matches than asked for: more may lie beyond the examined window if it was full.
            using var reader = session.Query("SELECT count(*), min(id) FROM (" + window + ")", ("$before", query.Before), ("$scan", query.ScanLimit));
            reader.Read();
            return new RequestPage(matches, reader.GetInt64(0) == query.ScanLimit ? reader.GetString(1) : null);
        }));

    public async ValueTask<PollResult> RecordPollAsync(AuthenticationRequest request, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var result = _polls.Record(request.Id, request.IntervalSeconds, now);
        if (result.SlowDown)
        {
            await database.WriteAsync(session => session.Execute(
                "UPDATE auth_requests SET interval_seconds = MAX(interval_seconds, $interval) WHERE id = $id",
                ("$interval", result.IntervalSeconds), ("$id", request.Id)));
        }

        return result;
    }

    public Task<DecisionResult> DecideAsync(Decision decision, DateTimeOffset now, Func<AuthenticationRequest, DecisionEffects> effects,
        CancellationToken cancellationToken) =>
        database.WriteAsync(session =>
        {
            AuthenticationRequest? decided;
            using (var reader = session.Query(Decide,
                       ("$to", (int)RequestTransitions.DecidedTo(decision.Approved)), ("$now", UnixTime.ToMs(now)), ("$acr", decision.Acr),
                       ("$amr", decision.Amr is null ? null : StorageJson.SerializeStrings(decision.Amr)), ("$id", decision.TransactionId),
                       ("$from", (int)RequestTransitions.DecidedFrom), ("$channel", decision.Channel)))
            {
                decided = reader.Read() ? Map(reader) : null;
            }

            if (decided is null)
            {
                var current = session.Query(SelectById, ("$id", decision.TransactionId)).ReadFirst(Map);
                return new DecisionResult(current is null || (decision.Channel is not null && !current.UsesChannel(decision.Channel))
                    ? DecisionOutcome.NotFound
                    : current.Status != RequestTransitions.DecidedFrom ? DecisionOutcome.AlreadyDecided
                    : DecisionOutcome.Expired);
            }

            session.Execute(UncountPending, ("$client_id", decided.ClientId));
            var (notification, refreshToken) = effects(decided);
            if (refreshToken is not null)
            {
                SqliteRefreshTokenStore.Insert(session, refreshToken);
            }

            var message = notification is not null ? SqliteOutboxStore.Insert(session, notification) : null;
            _polls.Forget(decided.Id);
            if (decided.Status == AuthenticationRequestStatus.Approved)
            {
                _approved.Remember(decided);
            }

            return new DecisionResult(DecisionOutcome.Decided, decided, message);
        });

    public Task<bool> RedeemAsync(string id, DateTimeOffset now, RefreshTokenRecord? refreshToken, CancellationToken cancellationToken) =>
        database.WriteAsync(session =>
        {
            _approved.Forget(id);
            var changed = session.Execute(
                "UPDATE auth_requests SET status = $to, redeemed_at = $now WHERE id = $id AND status = $from AND expires_at > $now",
                ("$to", (int)AuthenticationRequestStatus.Redeemed), ("$now", UnixTime.ToMs(now)), ("$id", id),
                ("$from", (int)RequestTransitions.RedeemedFrom));
            if (changed == 1 && refreshToken is not null)
            {
                SqliteRefreshTokenStore.Insert(session, refreshToken);
            }

            return changed == 1;
        });

    public Task<bool> MarkDeliveredAsync(string id, DateTimeOffset now, CancellationToken cancellationToken)
    {
        _approved.Forget(id);
        return database.WriteAsync(session => session.Execute(
            "UPDATE auth_requests SET status = $to, redeemed_at = $now WHERE id = $id AND status = $from",
            ("$to", (int)AuthenticationRequestStatus.Redeemed), ("$now", UnixTime.ToMs(now)), ("$id", id),
            ("$from", (int)RequestTransitions.RedeemedFrom)) == 1);
    }

    public Task<FailureResult?> FailAsync(string id, FailureCause cause, DateTimeOffset now, Func<AuthenticationRequest, OutboxMessage?> notification,
        CancellationToken cancellationToken) =>
        database.WriteAsync(session =>
        {
            AuthenticationRequest? failed;
            using (var reader = session.Query(
                       "UPDATE auth_requests SET status = $to, decided_at = $now WHERE id = $id AND status = $from RETURNING " + Columns,
                       ("$to", (int)AuthenticationRequestStatus.Failed), ("$now", UnixTime.ToMs(now)), ("$id", id),
                       ("$from", (int)RequestTransitions.FailedFrom(cause))))
            {
                failed = reader.Read() ? Map(reader) : null;
            }

            if (failed is null)
            {
                return null;
            }

            _polls.Forget(id);
            _approved.Forget(id);
            if (RequestTransitions.FailedFrom(cause) == AuthenticationRequestStatus.Pending)
            {
                session.Execute(UncountPending, ("$client_id", failed.ClientId));
            }

            var message = notification(failed) is { } created ? SqliteOutboxStore.Insert(session, created) : null;
            return new FailureResult(failed, message);
        });

    public Task<IReadOnlyList<FailureResult>> ClaimExpiredForNotificationAsync(DateTimeOffset now, int max,
        Func<AuthenticationRequest, OutboxMessage?> notification, CancellationToken cancellationToken) =>
        database.WriteAsync<IReadOnlyList<FailureResult>>(session =>
        {
            var expired = session.Query(
                "UPDATE auth_requests SET expiry_notified = 1 WHERE id IN (SELECT id FROM auth_requests WHERE status = $pending " +
                "AND expiry_notified = 0 AND delivery_mode <> 'poll' AND expires_at <= $now ORDER BY expires_at LIMIT $max) RETURNING " + Columns,
                ("$pending", (int)AuthenticationRequestStatus.Pending), ("$now", UnixTime.ToMs(now)), ("$max", max)).ReadAll(Map);
            return expired.Select(request =>
            {
                session.Execute(UncountPending, ("$client_id", request.ClientId));
                return new FailureResult(request, notification(request) is { } message ? SqliteOutboxStore.Insert(session, message) : null);
            }).ToList();
        });

    public Task<int> DeleteExpiredAsync(DateTimeOffset cutoff, CancellationToken cancellationToken)
    {
        _polls.ForgetPolledBefore(cutoff);
        _approved.ForgetExpiredBefore(cutoff);
        return database.WriteAsync(session =>
        {
            // Undecided requests whose client was not told leave their expiry in the audit trail, at the time they expired.
            session.Execute(
                "INSERT INTO request_events (request_id, kind, client_id, subject, at, channel) SELECT id, $expired, client_id, subject, expires_at, channel " +
                "FROM auth_requests WHERE status = $pending AND expiry_notified = 0 AND expires_at < $cutoff ORDER BY expires_at",
                ("$expired", RequestEventNames.Expired), ("$pending", (int)AuthenticationRequestStatus.Pending), ("$cutoff", UnixTime.ToMs(cutoff)));

            // Undecided poll requests leave the pending count when they go.
            session.Execute(
                "UPDATE client_pending SET pending = MAX(0, pending - (SELECT COUNT(*) FROM auth_requests a WHERE a.client_id = client_pending.client_id " +
                "AND a.status = $pending AND a.expiry_notified = 0 AND a.expires_at < $cutoff)) " +
                "WHERE client_id IN (SELECT client_id FROM auth_requests WHERE status = $pending AND expiry_notified = 0 AND expires_at < $cutoff)",
                ("$pending", (int)AuthenticationRequestStatus.Pending), ("$cutoff", UnixTime.ToMs(cutoff)));
            return session.Execute("DELETE FROM auth_requests WHERE expires_at < $cutoff", ("$cutoff", UnixTime.ToMs(cutoff)));
        });
    }

    private static AuthenticationRequest Map(SqliteDataReader r) => new()
    {
        Id = r.GetString(0),
        AuthReqIdHash = (byte[])r.GetValue(1),
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
        CreatedAt = UnixTime.FromMs(r.GetInt64(14)),
        ExpiresAt = UnixTime.FromMs(r.GetInt64(15)),
        IntervalSeconds = r.GetInt32(16),
        DecidedAt = r.IsDBNull(17) ? null : UnixTime.FromMs(r.GetInt64(17)),
        Acr = r.GetNullableString(18),
        Amr = r.IsDBNull(19) ? null : StorageJson.DeserializeStrings(r.GetString(19)),
        SealedAuthReqId = r.IsDBNull(20) ? null : (byte[])r.GetValue(20),
        DpopKeyThumbprint = r.GetNullableString(21),
    };
}
