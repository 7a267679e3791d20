using System.Text.Json;
using System.Text.Json.Serialization;

namespace Backchannel.Protocol;

/// <summary>The body the provider POSTs to the external HTTP device service for each new request.</summary>
public sealed record DeviceNotificationBody
{
    /// <summary>The request's id for the device; not the auth_req_id.</summary>
    [JsonPropertyName("transaction_id")]
    public required string TransactionId { get; init; }

    [JsonPropertyName("callback_url")]
    public required string CallbackUrl { get; init; }

    [JsonPropertyName("callback_token")]
    public required string CallbackToken { get; init; }

    [JsonPropertyName("subject")]
    public required string Subject { get; init; }

    [JsonPropertyName("login_hint")]
    public string? LoginHint { get; init; }

    [JsonPropertyName("client_id")]
    public required string ClientId { get; init; }

    [JsonPropertyName("client_name")]
    public string? ClientName { get; init; }

    [JsonPropertyName("scope")]
    public required string Scope { get; init; }

    [JsonPropertyName("acr_values")]
    public string? AcrValues { get; init; }

    [JsonPropertyName("binding_message")]
    public string? BindingMessage { get; init; }

    [JsonPropertyName("authorization_details")]
    public JsonElement? AuthorizationDetails { get; init; }

    /// <summary>The request's expiry, in seconds since the Unix epoch.</summary>
    [JsonPropertyName("expires_at")]
    public required long ExpiresAt { get; init; }
}
