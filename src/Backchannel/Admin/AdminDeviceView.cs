using System.Text.Json.Serialization;
using Backchannel.Domain;

namespace Backchannel.Admin;

/// <summary>A user's app device as the admin API shows it: its key's public part, never its push token.</summary>
public sealed record AdminDeviceView
{
    /// <summary>The RFC 7638 thumbprint of its public key.</summary>
    [JsonPropertyName("device_id")] public required string DeviceId { get; init; }

    [JsonPropertyName("subject")] public required string Subject { get; init; }
    [JsonPropertyName("name")] public required string Name { get; init; }

    /// <summary>Whether it registered a push token (gets FCM wake-ups).</summary>
    [JsonPropertyName("push")] public bool Push { get; init; }

    /// <summary>The public key, a JWK in RFC 7638's canonical form.</summary>
    [JsonPropertyName("jwk")] public required System.Text.Json.Nodes.JsonNode Jwk { get; init; }

    [JsonPropertyName("created_at")] public DateTimeOffset CreatedAt { get; init; }

    /// <summary>When it was last registered again (name or push token replaced).</summary>
    [JsonPropertyName("updated_at")] public DateTimeOffset UpdatedAt { get; init; }

    public static AdminDeviceView Of(AppDevice device) => new()
    {
        DeviceId = device.Id,
        Subject = device.Subject,
        Name = device.Name,
        Push = device.PushToken is not null,
        Jwk = System.Text.Json.Nodes.JsonNode.Parse(device.PublicKey)!,
        CreatedAt = device.CreatedAt,
        UpdatedAt = device.UpdatedAt,
    };
}
