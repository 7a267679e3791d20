using Backchannel.Json;
using Backchannel.Protocol;
using Microsoft.Data.Sqlite;

namespace Backchannel.Storage.Sqlite;

internal sealed class SqliteAuthenticationRequestStore(SqliteDatabase database) : IAuthenticationRequestStore
{
    private readonly PollTimes _polls = new();

    private const string Columns =
        "id, auth_req_id_hash, client_id, subject, scope, acr_values, binding_message, login_hint, authorization_details, " +
        "request_context, client_notification_token, delivery_mode, channel, status, created_at, expires_at, interval_seconds, " +
        "decided_at, acr, amr, auth_req_id_sealed";

    private const string Insert =
        "INSERT INTO auth_requests (" + Columns + ") VALUES ($id, $hash, $client_id, $subject, $scope, $acr_values, $binding_message, " +
        "$login_hint, $authorization_details, $request_context, $client_notification_token, $delivery_mode, $channel, $status, " +
        "$created_at, $expires_at, $interval, NULL, NULL, NULL, $sealed)";

    private const string SelectByHash = "SELECT " + Columns + " FROM auth_requests WHERE auth_req_id_hash = $hash";
    private const string SelectById = "SELECT " + Columns + " FROM auth_requests WHERE id = $id";

    public Task<OutboxMessage> CreateAsync(AuthenticationRequest request, OutboxMessage deviceNotification, CancellationToken cancellationToken) =>
        database.WriteAsync(session =>
        {
            session.Execute(Insert,
                ("$id", request.Id), ("$hash", request.AuthReqIdHash), ("$client_id", request.ClientId), ("$subject", request.Subject),
                ("$scope", request.Scope), ("$acr_values", request.AcrValues), ("$binding_message", request.BindingMessage),
                ("$login_hint", request.LoginHint), ("$authorization_details", request.AuthorizationDetails),
                ("$request_context", request.RequestContext), ("$client_notification_token", request.ClientNotificationToken),
                ("$delivery_mode", request.DeliveryMode), ("$channel", request.Channel), ("$status", (int)request.Status),
                ("$created_at", UnixTime.ToMs(request.CreatedAt)), ("$expires_at", UnixTime.ToMs(request.ExpiresAt)),
                ("$interval", request.IntervalSeconds), ("$sealed", request.SealedAuthReqId));
            return SqliteOutboxStore.Insert(session, deviceNotification);
        });

    public ValueTask<AuthenticationRequest?> FindByAuthReqIdHashAsync(byte[] authReqIdHash, CancellationToken cancellationToken) =>
        ValueTask.FromResult(database.Read(session => ReadOne(session, SelectByHash, "$hash", authReqIdHash)));

    public ValueTask<AuthenticationRequest?> FindAsync(string id, CancellationToken cancellationToken) =>
        ValueTask.FromResult(database.Read(session => ReadOne(session, SelectById, "$id", id)));

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

    public Task<DecisionResult> DecideAsync(string id, AuthenticationDecision decision, DateTimeOffset now,
        Func<AuthenticationRequest, DecisionEffects> effects, CancellationToken cancellationToken) =>
        database.WriteAsync(session =>
        {
            var request = ReadOne(session, SelectById, "$id", id);
            if (request is null)
            {
                return new DecisionResult(DecisionOutcome.NotFound);
            }

            if (request.Status != AuthenticationRequestStatus.Pending)
            {
                return new DecisionResult(DecisionOutcome.AlreadyDecided);
            }

            if (request.IsExpired(now))
            {
                return new DecisionResult(DecisionOutcome.Expired);
            }

            var status = decision.Approved ? AuthenticationRequestStatus.Approved : AuthenticationRequestStatus.Denied;
            session.Execute(
                "UPDATE auth_requests SET status = $status, decided_at = $now, acr = $acr, amr = $amr WHERE id = $id AND status = 0",
                ("$status", (int)status), ("$now", UnixTime.ToMs(now)), ("$acr", decision.Acr),
                ("$amr", decision.Amr is null ? null : StorageJson.SerializeStrings(decision.Amr)), ("$id", id));
            var decided = request with { Status = status, DecidedAt = now, Acr = decision.Acr, Amr = decision.Amr };
            var (notification, refreshToken) = effects(decided);
            if (refreshToken is not null)
            {
                SqliteRefreshTokenStore.Insert(session, refreshToken);
            }

            var message = notification is not null ? SqliteOutboxStore.Insert(session, notification) : null;
            _polls.Forget(id);
            return new DecisionResult(DecisionOutcome.Decided, decided, message);
        });

    public Task<bool> RedeemAsync(string id, DateTimeOffset now, RefreshTokenRecord? refreshToken, CancellationToken cancellationToken) =>
        database.WriteAsync(session =>
        {
            var changed = session.Execute(
                "UPDATE auth_requests SET status = 4, redeemed_at = $now WHERE id = $id AND status = 1 AND expires_at > $now",
                ("$now", UnixTime.ToMs(now)), ("$id", id));
            if (changed == 1 && refreshToken is not null)
            {
                SqliteRefreshTokenStore.Insert(session, refreshToken);
            }

            return changed == 1;
        });

    public Task MarkDeliveredAsync(string id, DateTimeOffset now, CancellationToken cancellationToken) =>
        database.WriteAsync(session => session.Execute(
            "UPDATE auth_requests SET status = 4, redeemed_at = $now WHERE id = $id AND status = 1",
            ("$now", UnixTime.ToMs(now)), ("$id", id)));

    public Task<FailureResult?> FailAsync(string id, DateTimeOffset now, Func<AuthenticationRequest, OutboxMessage?> notification,
        CancellationToken cancellationToken) =>
        database.WriteAsync(session =>
        {
            if (session.Execute("UPDATE auth_requests SET status = 3, decided_at = $now WHERE id = $id AND status IN (0, 1)",
                    ("$now", UnixTime.ToMs(now)), ("$id", id)) == 0)
            {
                return null;
            }

            var failed = ReadOne(session, SelectById, "$id", id)!;
            var message = notification(failed) is { } created ? SqliteOutboxStore.Insert(session, created) : null;
            return new FailureResult(failed, message);
        });

    public Task<IReadOnlyList<FailureResult>> ClaimExpiredForNotificationAsync(DateTimeOffset now, int max,
        Func<AuthenticationRequest, OutboxMessage> notification, CancellationToken cancellationToken) =>
        database.WriteAsync<IReadOnlyList<FailureResult>>(session =>
        {
            var expired = new List<AuthenticationRequest>();
            using (var reader = session.Query(
                       "SELECT " + Columns + " FROM auth_requests WHERE status = 0 AND expiry_notified = 0 AND delivery_mode <> 'poll' " +
                       "AND expires_at <= $now ORDER BY expires_at LIMIT $max",
                       ("$now", UnixTime.ToMs(now)), ("$max", max)))
            {
                while (reader.Read())
                {
                    expired.Add(Map(reader));
                }
            }

            var claimed = new List<FailureResult>(expired.Count);
            foreach (var request in expired)
            {
                session.Execute("UPDATE auth_requests SET expiry_notified = 1 WHERE id = $id", ("$id", request.Id));
                claimed.Add(new FailureResult(request, SqliteOutboxStore.Insert(session, notification(request))));
            }

            return claimed;
        });

    public Task<int> DeleteExpiredAsync(DateTimeOffset cutoff, CancellationToken cancellationToken)
    {
        _polls.ForgetPolledBefore(cutoff);
        return database.WriteAsync(session => session.Execute(
            "DELETE FROM auth_requests WHERE expires_at < $cutoff OR redeemed_at < $cutoff",
            ("$cutoff", UnixTime.ToMs(cutoff))));
    }

    private static AuthenticationRequest? ReadOne(SqliteSession session, string sql, string name, object value)
    {
        using var reader = session.Query(sql, (name, value));
        return reader.Read() ? Map(reader) : null;
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
    };
}
