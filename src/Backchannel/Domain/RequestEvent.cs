namespace Backchannel.Domain;

/// <summary>What happened to a request.</summary>
public enum RequestEventKind
{
    /// <summary>The client's request was accepted.</summary>
    Created,

    /// <summary>The user's authentication device was told.</summary>
    Notified,

    /// <summary>The user saw the request (a channel that can tell).</summary>
    Viewed,

    /// <summary>The user approved or denied.</summary>
    Decided,

    /// <summary>The request failed (device unreachable, pushed tokens lost).</summary>
    Failed,

    /// <summary>Tokens were issued to the client (redeemed, or pushed and delivered).</summary>
    Redeemed,

    /// <summary>The request expired undecided.</summary>
    Expired,

    /// <summary>An operator cancelled the pending request (the admin API): its client is answered access_denied.</summary>
    Cancelled,
}

/// <summary>
/// One event in a request's life, as the change feed carries it and the audit log records it. Never carries a secret
/// or the binding_message text.
/// </summary>
public sealed record RequestEvent
{
    public required RequestEventKind Kind { get; init; }

    /// <summary>The request's transaction id (not the auth_req_id).</summary>
    public required string RequestId { get; init; }

    public required string ClientId { get; init; }

    public required string Subject { get; init; }

    public required DateTimeOffset At { get; init; }

    /// <summary>The channel that was notified, or through which a decision came.</summary>
    public string? Channel { get; init; }

    /// <summary>Decided: whether the user approved.</summary>
    public bool? Approved { get; init; }

    /// <summary>What verified a decision (callback_token, ...) or why a request failed.</summary>
    public string? Detail { get; init; }

    /// <summary>Decided: the authentication device that decided, when its channel can name it (a registered device's id).</summary>
    public string? Device { get; init; }

    public static RequestEvent For(RequestEventKind kind, AuthenticationRequest request, DateTimeOffset at) => new()
    {
        Kind = kind,
        RequestId = request.Id,
        ClientId = request.ClientId,
        Subject = request.Subject,
        At = at,
        Channel = request.Channel,
    };
}
