using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Buffers.Text;

namespace Backchannel.Protocol;

/// <summary>The X.509 certificate SHA-256 thumbprint (RFC 8705 3.1, <c>x5t#S256</c>): base64url of the SHA-256 of the DER certificate.</summary>
public static class CertificateThumbprint
{
    /// <summary>The confirmation member (RFC 8705 3.1) of an access token bound to a certificate.</summary>
    public const string ConfirmationMember = "x5t#S256";

    public static string Sha256(X509Certificate2 certificate) => Base64Url.EncodeToString(SHA256.HashData(certificate.RawData));
}
