using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Options;

namespace Backchannel.Security;

/// <summary>
/// The CAs of <c>Mtls:TrustedCaFile</c> that tls_client_auth certificates must chain to, read once at start: the
/// self-signed ones are the trust anchors, the others intermediates a chain may pass through. Without the setting no
/// tls_client_auth certificate is trusted.
/// </summary>
public sealed class ClientCertificateAuthorities
{
    /// <summary>The EKU a client certificate may carry, and if it carries any, must carry (id-kp-clientAuth).</summary>
    public const string ClientAuthenticationUsage = "1.3.6.1.5.5.7.3.2";

    public ClientCertificateAuthorities(IOptions<MtlsOptions> options)
        : this(options.Value.TrustedCaFile is { Length: > 0 } file ? MtlsOptions.LoadTrustedCas(file) : [])
    {
    }

    public ClientCertificateAuthorities(X509Certificate2Collection certificates)
    {
        foreach (var certificate in certificates)
        {
            (certificate.SubjectName.RawData.AsSpan().SequenceEqual(certificate.IssuerName.RawData) ? Roots : Intermediates).Add(certificate);
        }
    }

    public X509Certificate2Collection Roots { get; } = [];

    public X509Certificate2Collection Intermediates { get; } = [];

    public bool Configured => Roots.Count > 0 || Intermediates.Count > 0;

    /// <summary>
    /// Null when <paramref name="certificate"/> chains to a trusted CA at <paramref name="now"/> (valid dates, a CA's
    /// signature at each step, clientAuth usage if any usage is stated; revocation is not checked, nothing is downloaded);
    /// otherwise why not.
    /// </summary>
    public string? ChainProblem(X509Certificate2 certificate, DateTimeOffset now)
    {
        if (Roots.Count == 0)
        {
            return "no trusted CA is configured (Mtls:TrustedCaFile)";
        }

        using var chain = new X509Chain();
        var policy = chain.ChainPolicy;
        policy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        policy.CustomTrustStore.AddRange(Roots);
        policy.ExtraStore.AddRange(Intermediates);
        policy.RevocationMode = X509RevocationMode.NoCheck;
        policy.DisableCertificateDownloads = true;
        policy.VerificationTime = now.UtcDateTime;
        policy.ApplicationPolicy.Add(new Oid(ClientAuthenticationUsage));
        try
        {
            if (chain.Build(certificate))
            {
                return null;
            }
        }
        catch (CryptographicException ex)
        {
            return "its chain cannot be built: " + ex.Message;
        }

        var statuses = chain.ChainStatus.Select(s => s.Status).Where(s => s != X509ChainStatusFlags.NoError).Distinct().ToList();
        return statuses.Count == 0 ? "its chain is not trusted" : "its chain is not trusted: " + string.Join(", ", statuses);
    }
}
