using System.Text.Json.Serialization;
using Backchannel.Domain;

namespace Backchannel.Admin;

/// <summary>
/// A request as the admin API shows it. Never its auth_req_id (nor its hash), the client_notification_token or a token;
/// not the binding_message text nor the authorization_details either (the content of the transaction is between the
/// client and the user; the audit trail does not keep it): only whether there were any.
/// </summary>
public sealed record AdminRequestView
{
    /// <summary>The transaction id (the id the device sees).</summary>
    [JsonPropertyName("id")] public required string Id { get; init; }

    [JsonPropertyName("client_id")] public required string ClientId { get; init; }
    [JsonPropertyName("subject")] public required string Subject { get; init; }

    /// <summary>pending, approved, denied (a cancelled request too), failed, redeemed, or expired (pending past its expiry).</summary>
    [JsonPropertyName("status")] public required string Status { get; init; }

    [JsonPropertyName("scope")] public required string Scope { get; init; }
    [JsonPropertyName("acr_values")] public string? AcrValues { get; init; }
    [JsonPropertyName("login_hint")] public string? LoginHint { get; init; }
    [JsonPropertyName("has_binding_message")] public bool HasBindingMessage { get; init; }
    [JsonPropertyName("has_authorization_details")] public bool HasAuthorizationDetails { get; init; }
    [JsonPropertyName("delivery_mode")] public required string DeliveryMode { get; init; }
    [JsonPropertyName("channel")] public required string Channel { get; init; }
    [JsonPropertyName("created_at")] public DateTimeOffset CreatedAt { get; init; }
    [JsonPropertyName("expires_at")] public DateTimeOffset ExpiresAt { get; init; }
    [JsonPropertyName("decided_at")] public DateTimeOffset? DecidedAt { get; init; }
    [JsonPropertyName("acr")] public string? Acr { get; init; }
    [JsonPropertyName("amr")] public IReadOnlyList<string>? Amr { get; init; }

    public static AdminRequestView Of(AuthenticationRequest request, DateTimeOffset now) => new()
    {
        Id = request.Id,
        ClientId = request.ClientId,
        Subject = request.Subject,
        Status = request.Status == AuthenticationRequestStatus.Pending && request.IsExpired(now) ? "expired" : request.Status.ToString().ToLowerInvariant(),
        Scope = request.Scope,
        AcrValues = request.AcrValues,
        LoginHint = request.LoginHint,
        HasBindingMessage = request.BindingMessage is not null,
        HasAuthorizationDetails = request.AuthorizationDetails is not null,
        DeliveryMode = request.DeliveryMode,
        Channel = request.Channel,
        CreatedAt = request.CreatedAt,
        ExpiresAt = request.ExpiresAt,
        DecidedAt = request.DecidedAt,
        Acr = request.Acr,
        Amr = request.Amr,
    };
}
