using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Backchannel.Protocol;

namespace Backchannel.Security;

/// <summary>The client credentials a request carries, before they are checked.</summary>
public sealed record ClientCredentials
{
    public string? ClientId { get; init; }

    public string? Secret { get; init; }

    public string? Assertion { get; init; }

    public string? AssertionType { get; init; }

    /// <summary>The method the request used, or null when it carried no credentials (a certificate alone included).</summary>
    public string? Method { get; init; }

    /// <summary>The client certificate of the request's mutual-TLS connection (or its trusted proxy's header), if any.</summary>
    public X509Certificate2? Certificate { get; init; }

    /// <summary>
    /// The request authenticates with its certificate alone (RFC 8705 2): a client_id, a certificate and no other
    /// credentials. Which of tls_client_auth and self_signed_tls_client_auth applies is the client's registration.
    /// </summary>
    public bool ByCertificate => Method is null && Certificate is not null && ClientId is not null;

    /// <summary>The method as the audit log names it.</summary>
    public string? MethodForLog => ByCertificate ? "certificate" : Method;

    /// <summary>
    /// Reads the credentials of a request (RFC 6749 2.3, RFC 7523): HTTP Basic, client_secret in the body, or a
    /// client_assertion; or, with none of them, the client certificate of a mutual-TLS connection (RFC 8705). Using more
    /// than one of the first three is an error; a certificate beside one of them stays for binding tokens.
    /// </summary>
    public static ProtocolResult<ClientCredentials> Read(string? authorizationHeader, RequestParameters form, X509Certificate2? certificate = null)
    {
        var formClientId = form[Parameters.ClientId];
        var methods = 0;
        ClientCredentials? credentials = null;

        if (!string.IsNullOrEmpty(authorizationHeader) && authorizationHeader.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            methods++;
            if (!TryDecodeBasic(authorizationHeader.AsSpan(6).Trim(), out var id, out var secret))
            {
                return ProtocolError.InvalidClient("The Authorization header is not valid HTTP Basic client authentication.");
            }

            if (formClientId is not null && formClientId != id)
            {
                return ProtocolError.InvalidClient("client_id in the body differs from the one in the Authorization header.");
            }

            credentials = new ClientCredentials { ClientId = id, Secret = secret, Method = ClientAuthenticationMethods.ClientSecretBasic };
        }

        if (form[Parameters.ClientSecret] is { } postedSecret)
        {
            methods++;
            credentials = new ClientCredentials { ClientId = formClientId, Secret = postedSecret, Method = ClientAuthenticationMethods.ClientSecretPost };
        }

        if (form[Parameters.ClientAssertion] is { } assertion)
        {
            methods++;
            credentials = new ClientCredentials
            {
                ClientId = formClientId,
                Assertion = assertion,
                AssertionType = form[Parameters.ClientAssertionType],
                Method = ClientAuthenticationMethods.PrivateKeyJwt,
            };
        }

        if (methods > 1)
        {
            return ProtocolError.InvalidRequest("The request uses more than one client authentication method; use exactly one.");
        }

        return (credentials ?? new ClientCredentials { ClientId = formClientId }) with { Certificate = certificate };
    }

    private static bool TryDecodeBasic(ReadOnlySpan<char> encoded, out string clientId, out string secret)
    {
        clientId = secret = string.Empty;
        Span<byte> bytes = stackalloc byte[encoded.Length];
        if (!Convert.TryFromBase64Chars(encoded, bytes, out var length))
        {
            return false;
        }

        var decoded = Encoding.UTF8.GetString(bytes[..length]);
        var colon = decoded.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0)
        {
            return false;
        }

        // RFC 6749 2.3.1: the id and the secret are form-urlencoded before they are joined.
        clientId = WebUtility.UrlDecode(decoded[..colon]);
        secret = WebUtility.UrlDecode(decoded[(colon + 1)..]);
        return clientId.Length > 0;
    }
}
