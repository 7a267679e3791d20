using System.Text.Json.Serialization;

namespace Backchannel.Protocol;

/// <summary>The acknowledgement of a backchannel authentication request (CIBA 7.3).</summary>
public sealed record BackchannelAuthenticationResponse(
    [property: JsonPropertyName("auth_req_id")] string AuthReqId,
    [property: JsonPropertyName("expires_in")] int ExpiresIn,
    [property: JsonPropertyName("interval")] int? Interval);

/// <summary>A successful token response (RFC 6749 5.1), also the body of a push (with auth_req_id).</summary>
public sealed record TokenResponse
{
    [JsonPropertyName("access_token")]
    public required string AccessToken { get; init; }

    [JsonPropertyName("token_type")]
    public string TokenType { get; init; } = "Bearer";

    [JsonPropertyName("expires_in")]
    public required int ExpiresIn { get; init; }

    [JsonPropertyName("id_token")]
    public string? IdToken { get; init; }

    [JsonPropertyName("refresh_token")]
    public string? RefreshToken { get; init; }

    [JsonPropertyName("scope")]
    public string? Scope { get; init; }

    /// <summary>Only in a push.</summary>
    [JsonPropertyName("auth_req_id")]
    public string? AuthReqId { get; init; }
}

/// <summary>An OAuth error response.</summary>
public sealed record ErrorResponse(
    [property: JsonPropertyName("error")] string Error,
    [property: JsonPropertyName("error_description")] string? ErrorDescription);

/// <summary>The body of a ping notification.</summary>
public sealed record PingNotification([property: JsonPropertyName("auth_req_id")] string AuthReqId);

/// <summary>The body of an error push (CIBA 10.3.1).</summary>
public sealed record PushErrorNotification(
    [property: JsonPropertyName("auth_req_id")] string AuthReqId,
    [property: JsonPropertyName("error")] string Error,
    [property: JsonPropertyName("error_description")] string? ErrorDescription);

/// <summary>What the external device service posts to /ciba/callback.</summary>
public sealed record DeviceCallbackBody
{
    [JsonPropertyName("status")]
    public string? Status { get; init; }

    [JsonPropertyName("acr")]
    public string? Acr { get; init; }

    [JsonPropertyName("amr")]
    public List<string>? Amr { get; init; }
}
