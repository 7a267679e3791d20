namespace Backchannel.Protocol;

public static class ClientAuthenticationMethods
{
    public const string ClientSecretBasic = "client_secret_basic";
    public const string ClientSecretPost = "client_secret_post";
    public const string PrivateKeyJwt = "private_key_jwt";

    /// <summary>RFC 8705 2.1: a certificate issued by a trusted CA, naming the client by its subject DN or a SAN.</summary>
    public const string TlsClientAuth = "tls_client_auth";

    /// <summary>RFC 8705 2.2: a self-signed certificate whose key is in the client's JWK Set.</summary>
    public const string SelfSignedTlsClientAuth = "self_signed_tls_client_auth";

    public const string JwtBearerAssertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

    /// <summary>The methods every provider offers.</summary>
    public static readonly IReadOnlyList<string> Supported = [ClientSecretBasic, ClientSecretPost, PrivateKeyJwt];

    /// <summary>The methods of mutual TLS (RFC 8705), offered when <c>Mtls:Enabled</c>.</summary>
    public static readonly IReadOnlyList<string> MutualTls = [TlsClientAuth, SelfSignedTlsClientAuth];

    /// <summary>The methods offered: <see cref="Supported"/>, and with mutual TLS those of <see cref="MutualTls"/>.</summary>
    public static IReadOnlyList<string> Offered(bool mutualTls) => mutualTls ? [.. Supported, .. MutualTls] : Supported;

    public static bool UsesSecret(string method) => method is ClientSecretBasic or ClientSecretPost;

    public static bool UsesCertificate(string method) => method is TlsClientAuth or SelfSignedTlsClientAuth;
}
