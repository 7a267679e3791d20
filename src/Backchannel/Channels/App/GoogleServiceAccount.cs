using System.Security.Cryptography;
using System.Text.Json;

namespace Backchannel.Channels.App;

/// <summary>
/// A Google service account's key, as its JSON key file holds it: who it is (<c>client_email</c>), its RSA private key,
/// the token endpoint it gets access tokens from (<c>token_uri</c>), and its project.
/// </summary>
public sealed class GoogleServiceAccount
{
    private GoogleServiceAccount(string clientEmail, RSA privateKey, string tokenUri, string? projectId)
    {
        ClientEmail = clientEmail;
        PrivateKey = privateKey;
        TokenUri = tokenUri;
        ProjectId = projectId;
    }

    public string ClientEmail { get; }

    public RSA PrivateKey { get; }

    /// <summary>Where the JWT-bearer grant is sent, and the <c>aud</c> of its assertion.</summary>
    public string TokenUri { get; }

    public string? ProjectId { get; }

    /// <summary>Reads a key file's JSON; what is wrong with it (never quoting the key) when it cannot be used.</summary>
    public static (GoogleServiceAccount? Account, string? Error) Parse(string json)
    {
        ServiceAccountKeyFile? file;
        try
        {
            file = JsonSerializer.Deserialize(json, AppJsonContext.Default.ServiceAccountKeyFile);
        }
        catch (JsonException)
        {
            return (null, "it is not JSON");
        }

        if (file is null || file.Type != "service_account")
        {
            return (null, "it is not a service account key (\"type\": \"service_account\")");
        }

        if (string.IsNullOrWhiteSpace(file.ClientEmail))
        {
            return (null, "it has no client_email");
        }

        if (!Uri.TryCreate(file.TokenUri, UriKind.Absolute, out var tokenUri) || tokenUri.Scheme != Uri.UriSchemeHttps)
        {
            return (null, "its token_uri is not an absolute https URL");
        }

        var key = RSA.Create();
        try
        {
            key.ImportFromPem(file.PrivateKey);
        }
        catch (Exception ex) when (ex is ArgumentException or CryptographicException)
        {
            key.Dispose();
            return (null, "its private_key is not an RSA private key in PEM");
        }

        return (new GoogleServiceAccount(file.ClientEmail, key, file.TokenUri!, file.ProjectId), null);
    }
}
