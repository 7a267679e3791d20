using Backchannel.Protocol;

namespace Backchannel.Storage;

/// <summary>Backchannel authentication requests and their state changes; each change is atomic.</summary>
public interface IAuthenticationRequestStore
{
    /// <summary>Stores a new request and, in the same transaction, the notification of its authentication device.</summary>
    /// <returns>The stored notification, with its id.</returns>
    Task<OutboxMessage> CreateAsync(AuthenticationRequest request, OutboxMessage deviceNotification, CancellationToken cancellationToken);

    ValueTask<AuthenticationRequest?> FindByAuthReqIdHashAsync(byte[] authReqIdHash, CancellationToken cancellationToken);

    ValueTask<AuthenticationRequest?> FindAsync(string id, CancellationToken cancellationToken);

    /// <summary>Records a poll of a pending request and applies the interval rule (slow_down grows the stored interval).</summary>
    ValueTask<PollResult> RecordPollAsync(AuthenticationRequest request, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>
    /// Decides a pending, unexpired request once. The effects (the client's notification, a pushed refresh token), made
    /// from the request as decided, are stored in the same transaction, so they exist exactly when the decision does.
    /// </summary>
    Task<DecisionResult> DecideAsync(string id, AuthenticationDecision decision, DateTimeOffset now,
        Func<AuthenticationRequest, DecisionEffects> effects, CancellationToken cancellationToken);

    /// <summary>Marks an approved, unexpired request redeemed and stores its refresh token, once; false if another redemption won.</summary>
    Task<bool> RedeemAsync(string id, DateTimeOffset now, RefreshTokenRecord? refreshToken, CancellationToken cancellationToken);

    /// <summary>Marks a push request whose tokens were delivered redeemed.</summary>
    Task MarkDeliveredAsync(string id, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>
    /// Marks a pending or approved request failed (its device refused it, or its pushed tokens could not be delivered),
    /// with the client's notification in the same transaction; null if the request had already moved on.
    /// </summary>
    Task<FailureResult?> FailAsync(string id, DateTimeOffset now, Func<AuthenticationRequest, OutboxMessage?> notification,
        CancellationToken cancellationToken);

    /// <summary>
    /// Finds up to <paramref name="max"/> undecided ping and push requests that expired and whose client was not told,
    /// stores the notification for each and marks them told, in one transaction.
    /// </summary>
    Task<IReadOnlyList<FailureResult>> ClaimExpiredForNotificationAsync(DateTimeOffset now, int max,
        Func<AuthenticationRequest, OutboxMessage> notification, CancellationToken cancellationToken);

    /// <summary>Removes requests that expired or were redeemed before <paramref name="cutoff"/>.</summary>
    Task<int> DeleteExpiredAsync(DateTimeOffset cutoff, CancellationToken cancellationToken);
}

/// <summary>The user's answer, as reported by the authentication device.</summary>
public sealed record AuthenticationDecision(bool Approved, string? Acr, IReadOnlyList<string>? Amr);

/// <summary>What a decision brings with it: the client's notification (ping, push), the refresh token a push carries.</summary>
public sealed record DecisionEffects(OutboxMessage? Notification, RefreshTokenRecord? RefreshToken)
{
    public static DecisionEffects None { get; } = new(null, null);
}

/// <summary>The outcome of a decision, with the decided request and its stored notification when there is one.</summary>
public sealed record DecisionResult(DecisionOutcome Outcome, AuthenticationRequest? Request = null, OutboxMessage? Notification = null);

/// <summary>A request that failed or expired, and the stored notification for its client, if any.</summary>
public sealed record FailureResult(AuthenticationRequest Request, OutboxMessage? Notification);

public enum DecisionOutcome
{
    Decided,
    NotFound,
    AlreadyDecided,
    Expired,
}
