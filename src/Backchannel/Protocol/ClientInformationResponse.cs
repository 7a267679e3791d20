using System.Text.Json;
using System.Text.Json.Serialization;

namespace Backchannel.Protocol;

/// <summary>
/// The client information response (RFC 7591 3.2.1, RFC 7592 3): the registered metadata, with the client's credentials
/// and where to manage it.
/// </summary>
public sealed record ClientInformationResponse
{
    /// <summary>Only when it was just issued: the provider keeps its hash only.</summary>
    [JsonPropertyName("client_secret")]
    public string? ClientSecret { get; init; }

    [JsonPropertyName("client_id_issued_at")]
    public required long ClientIdIssuedAt { get; init; }

    /// <summary>0 (never) for a client with a secret; absent otherwise.</summary>
    [JsonPropertyName("client_secret_expires_at")]
    public long? ClientSecretExpiresAt { get; init; }

    [JsonPropertyName("registration_access_token")]
    public required string RegistrationAccessToken { get; init; }

    [JsonPropertyName("registration_client_uri")]
    public required string RegistrationClientUri { get; init; }

    /// <summary>The registered metadata (client_id among it), member by member.</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement> Metadata { get; set; } = [];

    /// <summary>The members of <paramref name="metadata"/> as the response carries them (client_secret never among them).</summary>
    public static Dictionary<string, JsonElement> Members(ClientMetadata metadata)
    {
        var members = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var member in JsonSerializer.SerializeToElement(metadata, ProtocolJsonContext.Default.ClientMetadata).EnumerateObject())
        {
            if (member.Name != Parameters.ClientSecret)
            {
                members[member.Name] = member.Value.Clone();
            }
        }

        return members;
    }
}
