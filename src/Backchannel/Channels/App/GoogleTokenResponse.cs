using System.Text.Json.Serialization;

namespace Backchannel.Channels.App;

/// <summary>Google's token endpoint's answer to the JWT-bearer grant.</summary>
public sealed record GoogleTokenResponse
{
    [JsonPropertyName("access_token")]
    public string? AccessToken { get; init; }

    [JsonPropertyName("expires_in")]
    public int? ExpiresIn { get; init; }

    [JsonPropertyName("token_type")]
    public string? TokenType { get; init; }
}
