using System.Text.Json.Serialization;

namespace Backchannel.Channels.App;

/// <summary>A registered device as its user and the device itself see it: never its push token.</summary>
public sealed record AppDeviceView
{
    [JsonPropertyName("device_id")]
    public required string DeviceId { get; init; }

    [JsonPropertyName("name")]
    public required string Name { get; init; }

    /// <summary>Whether the device gets wake-ups (it registered a push token).</summary>
    [JsonPropertyName("push")]
    public required bool Push { get; init; }

    /// <summary>Seconds since the Unix epoch.</summary>
    [JsonPropertyName("created_at")]
    public required long CreatedAt { get; init; }

    [JsonPropertyName("updated_at")]
    public required long UpdatedAt { get; init; }

    /// <summary>Where the device reads its pending requests (Server-Sent Events or long polling).</summary>
    [JsonPropertyName("requests_endpoint")]
    public required string RequestsEndpoint { get; init; }

    /// <summary>Where the device posts its signed decisions.</summary>
    [JsonPropertyName("decisions_endpoint")]
    public required string DecisionsEndpoint { get; init; }
}

/// <summary>A user's devices: <c>GET /ciba/devices</c>.</summary>
public sealed record AppDeviceList([property: JsonPropertyName("devices")] IReadOnlyList<AppDeviceView> Devices);
