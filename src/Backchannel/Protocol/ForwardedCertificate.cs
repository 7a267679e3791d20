using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Backchannel.Protocol;

/// <summary>
/// The client certificate a TLS-terminating proxy forwards in a request header. Accepted forms: PEM, URL-encoded
/// (nginx <c>$ssl_client_escaped_cert</c>, Traefik, Envoy's <c>Cert=</c> value) or not; and base64 DER, standard or
/// URL-safe alphabet, URL-encoded or not (HAProxy <c>%[ssl_c_der,base64]</c>, AWS ALB). Whatever else comes is no certificate.
/// </summary>
public static class ForwardedCertificate
{
    /// <summary>The longest header value read (a certificate chain's leaf is a few kilobytes).</summary>
    public const int MaxHeaderLength = 16 * 1024;

    private const string PemBegin = "-----BEGIN CERTIFICATE-----";

    public static X509Certificate2? Parse(string? header)
    {
        if (string.IsNullOrWhiteSpace(header) || header.Length > MaxHeaderLength)
        {
            return null;
        }

        var value = header.Trim();
        if (value.Contains('%', StringComparison.Ordinal))
        {
            // Percent-decoding only: a '+' stays a '+' (it is base64, not a space).
            value = Uri.UnescapeDataString(value);
        }

        // Some proxies wrap the value in quotes.
        value = value.Trim().Trim('"');
        try
        {
            var begin = value.IndexOf(PemBegin, StringComparison.Ordinal);
            if (begin >= 0)
            {
                // Only the first certificate: the leaf comes first in every proxy's chain header.
                return X509Certificate2.CreateFromPem(value.AsSpan(begin));
            }

            var base64 = new string(value.Where(c => !char.IsWhiteSpace(c)).ToArray()).Replace('-', '+').Replace('_', '/');
            base64 = base64.PadRight(base64.Length + (4 - base64.Length % 4) % 4, '=');
            var der = new byte[base64.Length * 3 / 4];
            return Convert.TryFromBase64String(base64, der, out var length)
                ? X509CertificateLoader.LoadCertificate(der.AsSpan(0, length))
                : null;
        }
        catch (CryptographicException)
        {
            return null;
        }
    }
}
