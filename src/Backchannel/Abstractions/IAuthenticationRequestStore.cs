using Backchannel.Domain;

namespace Backchannel.Abstractions;

/// <summary>
/// Backchannel authentication requests and their state changes (<see cref="RequestTransitions"/>). Each change is one
/// conditional statement on the state it leaves, whose row count decides whether it happened; what it brings with it
/// (the client's notification, a refresh token) is written in the same transaction.
/// </summary>
public interface IAuthenticationRequestStore
{
    /// <summary>
    /// Stores a new request and, in the same transaction, the notifications of its authentication devices (one per
    /// channel, at least one), unless its client already has <paramref name="maxPendingForClient"/> requests pending (0:
    /// no limit). A request counts as pending from its creation until it is decided or fails, and, undecided, until its
    /// expiry was notified (ping, push) or it was removed after the retention period (poll).
    /// </summary>
    /// <returns>The stored notifications, with their ids, in the given order; null when the client is at its limit (nothing is stored).</returns>
    Task<IReadOnlyList<OutboxMessage>?> CreateAsync(AuthenticationRequest request, IReadOnlyList<OutboxMessage> deviceNotifications,
        int maxPendingForClient, CancellationToken cancellationToken);

    ValueTask<AuthenticationRequest?> FindByAuthReqIdHashAsync(byte[] authReqIdHash, CancellationToken cancellationToken);

    ValueTask<AuthenticationRequest?> FindAsync(string id, CancellationToken cancellationToken);

    /// <summary>The subject's pending, unexpired requests, oldest first (what a user's device or portal shows).</summary>
    Task<IReadOnlyList<AuthenticationRequest>> ListPendingForSubjectAsync(string subject, DateTimeOffset now, int max, CancellationToken cancellationToken);

    /// <summary>
    /// Requests newest first (by id, which sorts by creation time) for operators, filtered as <paramref name="query"/> says.
    /// Bounded: at most <see cref="RequestListQuery.ScanLimit"/> requests are examined per call, so a page may hold fewer
    /// than <see cref="RequestListQuery.Limit"/> while <see cref="RequestPage.Next"/> says where to go on.
    /// </summary>
    Task<RequestPage> ListAsync(RequestListQuery query, CancellationToken cancellationToken);

    /// <summary>Records a poll of a pending request and applies the interval rule (slow_down grows the stored interval).</summary>
    ValueTask<PollResult> RecordPollAsync(AuthenticationRequest request, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>
    /// Decides a pending, unexpired request once. The effects (the client's notification, a pushed refresh token), made
    /// from the request as decided, are stored in the same transaction, so they exist exactly when the decision does.
    /// </summary>
    Task<DecisionResult> DecideAsync(Decision decision, DateTimeOffset now, Func<AuthenticationRequest, DecisionEffects> effects,
        CancellationToken cancellationToken);

    /// <summary>Marks an approved, unexpired request redeemed and stores its refresh token, once; false if another redemption won.</summary>
    Task<bool> RedeemAsync(string id, DateTimeOffset now, RefreshTokenRecord? refreshToken, CancellationToken cancellationToken);

    /// <summary>Marks an approved push request whose tokens were delivered redeemed; false if it was not approved.</summary>
    Task<bool> MarkDeliveredAsync(string id, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>
    /// Fails a request from the state <paramref name="cause"/> allows, with the client's notification in the same
    /// transaction; null if the request was not in that state (it moved on meanwhile).
    /// </summary>
    Task<FailureResult?> FailAsync(string id, FailureCause cause, DateTimeOffset now, Func<AuthenticationRequest, OutboxMessage?> notification,
        CancellationToken cancellationToken);

    /// <summary>
    /// Finds up to <paramref name="max"/> undecided ping and push requests that expired and whose client was not told,
    /// stores the notification for each and marks them told, in one transaction.
    /// </summary>
    Task<IReadOnlyList<FailureResult>> ClaimExpiredForNotificationAsync(DateTimeOffset now, int max,
        Func<AuthenticationRequest, OutboxMessage?> notification, CancellationToken cancellationToken);

    /// <summary>
    /// Removes requests that expired before <paramref name="cutoff"/>, redeemed or not. An undecided request whose client
    /// was not told of its expiry (poll, or NotifyOnExpiry off) leaves its <c>expired</c> event in the audit trail
    /// (<see cref="IAuditStore"/>), at its expiry time, in the same transaction.
    /// </summary>
    Task<int> DeleteExpiredAsync(DateTimeOffset cutoff, CancellationToken cancellationToken);
}

/// <summary>What a decision brings with it: the client's notification (ping, push), the refresh token a push carries.</summary>
public sealed record DecisionEffects(OutboxMessage? Notification, RefreshTokenRecord? RefreshToken)
{
    public static DecisionEffects None { get; } = new(null, null);
}

/// <summary>The outcome of a decision, with the decided request and its stored notification when there is one.</summary>
public sealed record DecisionResult(DecisionOutcome Outcome, AuthenticationRequest? Request = null, OutboxMessage? Notification = null);

/// <summary>A request that failed or expired, and the stored notification for its client, if any.</summary>
public sealed record FailureResult(AuthenticationRequest Request, OutboxMessage? Notification);

/// <summary>Which requests <see cref="IAuthenticationRequestStore.ListAsync"/> lists.</summary>
public sealed record RequestListQuery
{
    /// <summary>Only this client's requests.</summary>
    public string? ClientId { get; init; }

    /// <summary>Only this subject's requests.</summary>
    public string? Subject { get; init; }

    /// <summary>Only requests still pending and unexpired at <see cref="Now"/>.</summary>
    public bool PendingOnly { get; init; }

    public required DateTimeOffset Now { get; init; }

    /// <summary>Only requests whose id sorts before this one (the <see cref="RequestPage.Next"/> of the previous page).</summary>
    public string? Before { get; init; }

    public required int Limit { get; init; }

    /// <summary>The most requests examined for one page.</summary>
    public int ScanLimit { get; init; } = 10_000;
}

/// <summary>A page of requests, and the id to list before for the next page (null: there is none).</summary>
public sealed record RequestPage(IReadOnlyList<AuthenticationRequest> Requests, string? Next);
