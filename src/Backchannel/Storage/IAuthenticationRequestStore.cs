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

    /// <summary>Records a poll of a pending request and applies the interval rule; null when the request is no longer pending.</summary>
    Task<PollResult?> RecordPollAsync(string id, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Decides a pending, unexpired request once; the notification (ping or push) is stored in the same transaction.</summary>
    Task<DecisionResult> DecideAsync(string id, AuthenticationDecision decision, DateTimeOffset now,
        Func<AuthenticationRequest, OutboxMessage?> notification, CancellationToken cancellationToken);

    /// <summary>Marks an approved, unexpired request redeemed and stores its refresh token, once; false if another redemption won.</summary>
    Task<bool> RedeemAsync(string id, DateTimeOffset now, RefreshTokenRecord? refreshToken, CancellationToken cancellationToken);

    /// <summary>Marks a request whose device could not be reached failed, if it is still pending.</summary>
    Task<bool> FailAsync(string id, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Removes requests that expired or were redeemed before <paramref name="cutoff"/>.</summary>
    Task<int> DeleteExpiredAsync(DateTimeOffset cutoff, CancellationToken cancellationToken);
}

/// <summary>The user's answer, as reported by the authentication device.</summary>
public sealed record AuthenticationDecision(bool Approved, string? Acr, IReadOnlyList<string>? Amr);

/// <summary>The outcome of a decision, with the decided request and its stored notification (ping, push) when there is one.</summary>
public sealed record DecisionResult(DecisionOutcome Outcome, AuthenticationRequest? Request = null, OutboxMessage? Notification = null);

public enum DecisionOutcome
{
    Decided,
    NotFound,
    AlreadyDecided,
    Expired,
}
