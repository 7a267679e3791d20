namespace Backchannel.Protocol;

/// <summary>An error answer of the protocol: its code, a description for the developer, and the HTTP status.</summary>
public sealed record ProtocolError(string Error, string Description, int StatusCode = 400)
{
    /// <summary>Seconds the caller should wait before trying again (sent as <c>Retry-After</c>).</summary>
    public int? RetryAfterSeconds { get; init; }

    public static ProtocolError InvalidRequest(string description) => new(ErrorCodes.InvalidRequest, description);

    public static ProtocolError InvalidClient(string description) => new(ErrorCodes.InvalidClient, description, 401);

    public static ProtocolError InvalidGrant(string description) => new(ErrorCodes.InvalidGrant, description);

    public static ProtocolError InvalidScope(string description) => new(ErrorCodes.InvalidScope, description);

    public static ProtocolError UnauthorizedClient(string description) => new(ErrorCodes.UnauthorizedClient, description);

    public static ProtocolError AccessDenied(string description) => new(ErrorCodes.AccessDenied, description, 403);

    public override string ToString() => $"{Error}: {Description}";
}
