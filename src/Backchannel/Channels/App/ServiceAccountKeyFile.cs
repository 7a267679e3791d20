using System.Text.Json.Serialization;

namespace Backchannel.Channels.App;

/// <summary>The members of a Google service account key file the provider reads.</summary>
public sealed record ServiceAccountKeyFile
{
    [JsonPropertyName("type")]
    public string? Type { get; init; }

    [JsonPropertyName("project_id")]
    public string? ProjectId { get; init; }

    [JsonPropertyName("private_key")]
    public string PrivateKey { get; init; } = "";

    [JsonPropertyName("client_email")]
    public string? ClientEmail { get; init; }

    [JsonPropertyName("token_uri")]
    public string? TokenUri { get; init; }
}
