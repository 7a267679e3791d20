using System.Text.Json;
using System.Text.Json.Serialization;
using Backchannel.Domain;

namespace Backchannel.Channels.App;

/// <summary>
/// A pending request as the user's app shows it: what the http channel's device service is told, without a callback
/// token (the app decides with its own key) and never the auth_req_id.
/// </summary>
public sealed record AppRequestView
{
    /// <summary>The request's id for devices: what a decision names.</summary>
    [JsonPropertyName("transaction_id")]
    public required string TransactionId { get; init; }

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

    /// <summary>Seconds since the Unix epoch.</summary>
    [JsonPropertyName("created_at")]
    public required long CreatedAt { get; init; }

    [JsonPropertyName("expires_at")]
    public required long ExpiresAt { get; init; }

    public static AppRequestView From(AuthenticationRequest request, string? clientName) => new()
    {
        TransactionId = request.Id,
        ClientId = request.ClientId,
        ClientName = clientName,
        Scope = request.Scope,
        AcrValues = request.AcrValues,
        BindingMessage = request.BindingMessage,
        AuthorizationDetails = request.AuthorizationDetails is { } details ? JsonDocument.Parse(details).RootElement.Clone() : null,
        CreatedAt = request.CreatedAt.ToUnixTimeSeconds(),
        ExpiresAt = request.ExpiresAt.ToUnixTimeSeconds(),
    };
}

/// <summary>The pending requests of a device's user: the answer to a (long) poll of <c>GET /ciba/devices/{id}/requests</c>.</summary>
public sealed record AppRequestList([property: JsonPropertyName("requests")] IReadOnlyList<AppRequestView> Requests);

/// <summary>
/// A request a device was shown that is no longer pending: decided (<c>approved</c>, <c>denied</c>, whichever channel
/// decided it), <c>failed</c> or <c>expired</c>.
/// </summary>
public sealed record AppRequestClosed(
    [property: JsonPropertyName("transaction_id")] string TransactionId,
    [property: JsonPropertyName("status")] string Status);
