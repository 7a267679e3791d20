namespace Backchannel.Domain;

/// <summary>
/// The user's answer to a request, as a channel's return path verified it: which request (by its transaction id),
/// approved or denied, how the user authenticated, and what verified the decision (a callback token, ...).
/// </summary>
public sealed record Decision(string TransactionId, bool Approved, string? Acr, IReadOnlyList<string>? Amr, string Evidence)
{
    /// <summary>
    /// When set, the decision counts only if this is one of the request's channels (a channel that can name it); null:
    /// the evidence itself names the request (a callback token is only ever issued for its request).
    /// </summary>
    public string? Channel { get; init; }

    /// <summary>The request's delivery mode when the verifier knows it: a decision known not to be for push skips a read.</summary>
    public string? KnownDeliveryMode { get; init; }

    /// <summary>The authentication device that decided, when the channel can name it (recorded in the audit trail).</summary>
    public string? Device { get; init; }
}

/// <summary>What became of a decision.</summary>
public enum DecisionOutcome
{
    /// <summary>Recorded: this decision was the first.</summary>
    Decided,

    NotFound,

    /// <summary>Another decision (or a failure) came first.</summary>
    AlreadyDecided,

    Expired,
}
