using System.Text.Json.Serialization;
using Backchannel.Domain;

namespace Backchannel.Admin;

/// <summary>One event of a request's audit trail, as the admin API shows it.</summary>
public sealed record AdminRequestEventView
{
    /// <summary>requested, notified, viewed, decided, failed, redeemed, expired or cancelled (<see cref="RequestEventNames"/>).</summary>
    [JsonPropertyName("event")] public required string Event { get; init; }

    [JsonPropertyName("at")] public DateTimeOffset At { get; init; }
    [JsonPropertyName("request_id")] public required string RequestId { get; init; }
    [JsonPropertyName("client_id")] public required string ClientId { get; init; }
    [JsonPropertyName("subject")] public required string Subject { get; init; }
    [JsonPropertyName("channel")] public string? Channel { get; init; }

    /// <summary>decided: whether the user approved.</summary>
    [JsonPropertyName("approved")] public bool? Approved { get; init; }

    /// <summary>requested: the hint type; decided: the evidence; redeemed: how; failed: the cause; cancelled: the reason.</summary>
    [JsonPropertyName("detail")] public string? Detail { get; init; }

    /// <summary>decided: the device that decided, when its channel names it.</summary>
    [JsonPropertyName("device")] public string? Device { get; init; }

    public static AdminRequestEventView Of(RequestEvent e) => new()
    {
        Event = RequestEventNames.Of(e.Kind),
        At = e.At,
        RequestId = e.RequestId,
        ClientId = e.ClientId,
        Subject = e.Subject,
        Channel = e.Channel,
        Approved = e.Approved,
        Detail = e.Detail,
        Device = e.Device,
    };
}
