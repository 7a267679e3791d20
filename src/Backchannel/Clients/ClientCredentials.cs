using Backchannel.Protocol;

namespace Backchannel.Clients;

/// <summary>
/// The credentials the provider chooses for a client (dynamic registration and the admin API alike): client ids of 128
/// random bits (22 base64url characters), client secrets and registration access tokens of 256.
/// </summary>
public static class ClientCredentials
{
    private const int ClientIdBytes = 16;
    private const int SecretBytes = 32;

    public static string NewClientId() => RandomIdentifiers.New(ClientIdBytes);

    /// <summary>A client secret or a registration access token.</summary>
    public static string NewSecret() => RandomIdentifiers.New(SecretBytes);

    /// <summary>Whether the client authenticates with a secret (its token_endpoint_auth_method; client_secret_basic when absent).</summary>
    public static bool UsesSecret(ClientMetadata metadata) =>
        ClientAuthenticationMethods.UsesSecret(metadata.TokenEndpointAuthMethod ?? ClientAuthenticationMethods.ClientSecretBasic);
}
