using System.Text.Json.Serialization;
using Backchannel.Domain;

namespace Backchannel.Channels.Portal;

/// <summary>
/// One event of a user's history, as <c>GET /device/history</c> shows it: what happened to which of their requests,
/// when, through which channel and device. Never a binding_message, secret or token (the audit trail keeps none).
/// </summary>
public sealed record PortalHistoryEntry
{
    /// <summary>requested, notified, viewed, decided, failed, redeemed, expired or cancelled (<see cref="RequestEventNames"/>).</summary>
    [JsonPropertyName("event")] public required string Event { get; init; }

    [JsonPropertyName("at")] public DateTimeOffset At { get; init; }

    /// <summary>The request's transaction id (never its auth_req_id).</summary>
    [JsonPropertyName("request_id")] public required string RequestId { get; init; }

    [JsonPropertyName("client_id")] public required string ClientId { get; init; }

    /// <summary>The client's name, when it has one (and still exists).</summary>
    [JsonPropertyName("client_name")] public string? ClientName { get; init; }

    [JsonPropertyName("channel")] public string? Channel { get; init; }

    /// <summary>decided: whether the user approved.</summary>
    [JsonPropertyName("approved")] public bool? Approved { get; init; }

    /// <summary>requested: the hint type; decided: the evidence; redeemed: how; failed: the cause; cancelled: by whom and why.</summary>
    [JsonPropertyName("detail")] public string? Detail { get; init; }

    /// <summary>decided: the registered device that decided, when its channel names it.</summary>
    [JsonPropertyName("device")] public string? Device { get; init; }

    public static PortalHistoryEntry Of(RequestEvent e, string? clientName) => new()
    {
        Event = RequestEventNames.Of(e.Kind),
        At = e.At,
        RequestId = e.RequestId,
        ClientId = e.ClientId,
        ClientName = clientName,
        Channel = e.Channel,
        Approved = e.Approved,
        Detail = e.Detail,
        Device = e.Device,
    };
}

/// <summary>A page of <c>GET /device/history</c> as JSON: its entries and the URL of the next (older) page, null on the last.</summary>
public sealed record PortalHistoryJson(
    [property: JsonPropertyName("items")] IReadOnlyList<PortalHistoryEntry> Items,
    [property: JsonPropertyName("next")] string? Next);
