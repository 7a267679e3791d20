using System.Text.Json;
using System.Text.Json.Serialization;

namespace Backchannel.Channels.App;

/// <summary>The JSON body of <c>POST /ciba/devices</c>: the device's public key, its name, an optional push token, and who registers it.</summary>
public sealed record AppDeviceRegistrationBody
{
    /// <summary>An ID token this provider issued for the user (or none, when a signed-in session says who the user is).</summary>
    [JsonPropertyName("id_token_hint")]
    public string? IdTokenHint { get; init; }

    /// <summary>The device's ES256 public key as a JWK.</summary>
    [JsonPropertyName("jwk")]
    public JsonElement? Jwk { get; init; }

    [JsonPropertyName("name")]
    public string? Name { get; init; }

    /// <summary>The device's FCM registration token, for wake-ups.</summary>
    [JsonPropertyName("push_token")]
    public string? PushToken { get; init; }
}
