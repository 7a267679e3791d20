namespace Backchannel.Domain;

/// <summary>An accepted backchannel authentication request, as stored.</summary>
public sealed record AuthenticationRequest
{
    /// <summary>The internal id, also the <c>transaction_id</c> shown to the authentication device.</summary>
    public required string Id { get; init; }

    /// <summary>SHA-256 of the auth_req_id; the auth_req_id itself is never stored.</summary>
    public required byte[] AuthReqIdHash { get; init; }

    public required string ClientId { get; init; }

    public required string Subject { get; init; }

    public required string Scope { get; init; }

    public string? AcrValues { get; init; }

    public string? BindingMessage { get; init; }

    /// <summary>The hint the client sent, as shown to the device (the login_hint, or the identifier resolved from a token hint).</summary>
    public string? LoginHint { get; init; }

    /// <summary>RFC 9396 authorization details, as a JSON array.</summary>
    public string? AuthorizationDetails { get; init; }

    public string? RequestContext { get; init; }

    /// <summary>The auth_req_id sealed with a sealing key, for ping and push requests whose notifications carry it.</summary>
    public byte[]? SealedAuthReqId { get; init; }

    /// <summary>The bearer token for the client's notification endpoint (ping and push).</summary>
    public string? ClientNotificationToken { get; init; }

    /// <summary>
    /// The RFC 7638 SHA-256 thumbprint of the DPoP key the client proved at the backchannel authentication endpoint
    /// (RFC 9449): the request's tokens are bound to it, and a token request must prove the same key.
    /// </summary>
    public string? DpopKeyThumbprint { get; init; }

    public required string DeliveryMode { get; init; }

    /// <summary>
    /// The authentication-device channels that reach the user: one name, or several separated by commas
    /// (<see cref="ChannelList"/>), each notified through its own outbox message.
    /// </summary>
    public required string Channel { get; init; }

    /// <summary>The names of <see cref="Channel"/>.</summary>
    public IReadOnlyList<string> Channels => ChannelList.Parse(Channel);

    /// <summary>Whether the request was sent to the channel <paramref name="channel"/> (one of several, or its only one).</summary>
    public bool UsesChannel(string channel) => ChannelList.Contains(Channel, channel);

    public AuthenticationRequestStatus Status { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public required DateTimeOffset ExpiresAt { get; init; }

    /// <summary>The minimum seconds between two polls; grows by 5 after each slow_down.</summary>
    public required int IntervalSeconds { get; init; }

    public DateTimeOffset? DecidedAt { get; init; }

    /// <summary>The authentication context class the device reported.</summary>
    public string? Acr { get; init; }

    public IReadOnlyList<string>? Amr { get; init; }

    public bool IsExpired(DateTimeOffset now) => now >= ExpiresAt;
}
