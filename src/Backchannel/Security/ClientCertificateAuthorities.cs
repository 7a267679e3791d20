using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Options;

namespace Backchannel.Security;

/// <summary>
/// The CAs of <c>Mtls:TrustedCaFile</c> that tls_client_auth certificates must chain to, read once at start: the
/// self-signed ones are the trust anchors, the others intermediates a chain may pass through. Without the setting no
/// tls_client_auth certificate is trusted. A certificate whose chain was verified is remembered (by its SHA-256) with the
/// time its chain is valid: the anchors do not change while the process runs and revocation is not checked, so within that
/// time the answer is the same, and a client's requests over mutual TLS cost one chain building, not one each.
/// </summary>
public sealed class ClientCertificateAuthorities
{
    /// <summary>The EKU a client certificate may carry, and if it carries any, must carry (id-kp-clientAuth).</summary>
    public const string ClientAuthenticationUsage = "1.3.6.1.5.5.7.3.2";

    /// <summary>How many verified certificates are remembered at most (then forgotten all at once, and verified again).</summary>
    private const int MaxRemembered = 10_000;

    private readonly ConcurrentDictionary<string, (DateTimeOffset From, DateTimeOffset Until)> _verified = new(StringComparer.Ordinal);

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

        var fingerprint = certificate.GetCertHashString(HashAlgorithmName.SHA256);
        if (_verified.TryGetValue(fingerprint, out var valid) && now >= valid.From && now <= valid.Until)
        {
            return null;
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
                Remember(fingerprint, chain);
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

    /// <summary>Remembers a verified chain with the time all its certificates are valid (the latest start, the earliest end).</summary>
    private void Remember(string fingerprint, X509Chain chain)
    {
        if (_verified.Count >= MaxRemembered)
        {
            _verified.Clear();
        }

        var certificates = chain.ChainElements.Select(element => element.Certificate).ToList();
        _verified[fingerprint] = (certificates.Max(c => new DateTimeOffset(c.NotBefore.ToUniversalTime())),
            certificates.Min(c => new DateTimeOffset(c.NotAfter.ToUniversalTime())));
    }
}
