using System.Security.Cryptography.X509Certificates;
using Backchannel.Domain;
using Backchannel.Protocol;
using Backchannel.Security;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Backchannel.Endpoints;

/// <summary>
/// The client certificate of a request (RFC 8705): the one of its mutual-TLS connection (requested only on the alias
/// port), or the one a trusted proxy forwarded (the certificate-forwarding middleware put it on the connection). None
/// when mutual TLS is off.
/// </summary>
internal static class MtlsHttp
{
    public static X509Certificate2? Certificate(HttpContext context) =>
        context.RequestServices.GetRequiredService<IOptions<MtlsOptions>>().Value.Enabled ? context.Connection.ClientCertificate : null;

    /// <summary>
    /// The URL a request to the endpoint at <paramref name="path"/> was addressed to, as a DPoP proof's htu names it: the
    /// endpoint's mutual-TLS alias when the request's host and port are the alias's (RFC 8705 5), otherwise
    /// <paramref name="url"/> (the issuer's). A Host header without a port counts as port 443.
    /// </summary>
    public static string EndpointUrl(HttpContext context, string url, string path)
    {
        var mtls = context.RequestServices.GetRequiredService<IOptions<MtlsOptions>>().Value;
        if (!mtls.Enabled || !Uri.TryCreate(mtls.BaseUrl, UriKind.Absolute, out var alias))
        {
            return url;
        }

        var host = context.Request.Host;
        return string.Equals(host.Host, alias.Host, StringComparison.OrdinalIgnoreCase) && (host.Port ?? 443) == alias.Port ? mtls.Alias(path) : url;
    }

    /// <summary>
    /// The x5t#S256 the access tokens of <paramref name="client"/> are bound to: its certificate's, for a client that
    /// registered tls_client_certificate_bound_access_tokens (which must then present one); null for every other client.
    /// </summary>
    public static ProtocolResult<string?> BoundThumbprint(Client client, X509Certificate2? certificate, bool dpopProof)
    {
        if (!client.CertificateBoundAccessTokens)
        {
            return ProtocolResult<string?>.Ok(null);
        }

        if (dpopProof)
        {
            return ProtocolError.InvalidRequest("The client registered tls_client_certificate_bound_access_tokens: its access tokens are bound to its " +
                "certificate, so the request must not carry a DPoP proof (a token is bound one way).");
        }

        return certificate is null
            ? ProtocolError.InvalidRequest("The client registered tls_client_certificate_bound_access_tokens: send the token request over mutual TLS " +
                "with its certificate (the token_endpoint of mtls_endpoint_aliases).")
            : CertificateThumbprint.Sha256(certificate);
    }
}
