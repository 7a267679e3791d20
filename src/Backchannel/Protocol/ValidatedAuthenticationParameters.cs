namespace Backchannel.Protocol;

/// <summary>Backchannel authentication parameters that passed every syntactic and policy rule.</summary>
public sealed record ValidatedAuthenticationParameters
{
    public required IReadOnlyList<string> Scopes { get; init; }

    public required UserHint Hint { get; init; }

    public string? ClientNotificationToken { get; init; }

    public string? AcrValues { get; init; }

    public string? BindingMessage { get; init; }

    public string? UserCode { get; init; }

    /// <summary>The lifetime granted: requested_expiry capped by the maximum, or the default.</summary>
    public required int ExpirySeconds { get; init; }

    public string? RequestContext { get; init; }

    public string? AuthorizationDetails { get; init; }

    public string Scope => string.Join(' ', Scopes);
}
