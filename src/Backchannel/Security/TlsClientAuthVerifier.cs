using System.Security.Cryptography.X509Certificates;
using Backchannel.Domain;

namespace Backchannel.Security;

/// <summary>
/// tls_client_auth (RFC 8705 2.1): the client's certificate chains to a CA of <c>Mtls:TrustedCaFile</c> and names the
/// client the way it registered (its subject DN, or one subject alternative name).
/// </summary>
public sealed class TlsClientAuthVerifier(ClientCertificateAuthorities authorities, TimeProvider time)
{
    /// <summary>Null when the certificate authenticates <paramref name="client"/>; otherwise why not (for the log).</summary>
    public string? Problem(Client client, X509Certificate2 certificate)
    {
        if (client.CertificateSubject is not { } subject)
        {
            return "the client has no registered certificate subject";
        }

        if (authorities.ChainProblem(certificate, time.GetUtcNow()) is { } untrusted)
        {
            return $"the client certificate ({certificate.Subject}) is refused: {untrusted}";
        }

        return subject.Matches(certificate) ? null
            : $"the client certificate does not match {subject.MetadataName} '{subject.Value}' (its subject is '{certificate.Subject}')";
    }
}
