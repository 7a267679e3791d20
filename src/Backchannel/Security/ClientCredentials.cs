using System.Net;
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

    /// <summary>The method the request used, or null when it carried no credentials.</summary>
    public string? Method { get; init; }

    /// <summary>
    /// Reads the credentials of a request (RFC 6749 2.3, RFC 7523): HTTP Basic, client_secret in the body, or a
    /// client_assertion. Using more than one method is an error.
    /// </summary>
    public static ProtocolResult<ClientCredentials> Read(string? authorizationHeader, RequestParameters form)
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

        return credentials ?? new ClientCredentials { ClientId = formClientId };
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
