using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Backchannel.Tests.Support;

/// <summary>Certificates for mutual-TLS tests, made in the test: CAs, certificates they issue, self-signed certificates.</summary>
public static class TestCertificateFactory
{
    public const string ClientAuthUsage = "1.3.6.1.5.5.7.3.2";
    public const string ServerAuthUsage = "1.3.6.1.5.5.7.3.1";

    public static X509Certificate2 Authority(string name, X509Certificate2? issuer = null, DateTimeOffset? notBefore = null, DateTimeOffset? notAfter = null)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(name, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        var from = notBefore ?? DateTimeOffset.UtcNow.AddDays(-1);
        var to = notAfter ?? DateTimeOffset.UtcNow.AddDays(30);
        if (issuer is null)
        {
            return request.CreateSelfSigned(from, to);
        }

        using var issued = request.Create(issuer, from, to, RandomNumberGenerator.GetBytes(8));
        return issued.CopyWithPrivateKey(key);
    }

    /// <summary>A leaf certificate <paramref name="issuer"/> issues to <paramref name="subject"/>, with the given SANs and usage.</summary>
    public static X509Certificate2 Issue(X509Certificate2 issuer, string subject, Action<SubjectAlternativeNameBuilder>? names = null,
        string usage = ClientAuthUsage, DateTimeOffset? notBefore = null, DateTimeOffset? notAfter = null)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        if (names is not null)
        {
            var builder = new SubjectAlternativeNameBuilder();
            names(builder);
            request.CertificateExtensions.Add(builder.Build());
        }

        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(usage)], false));
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        var from = notBefore ?? DateTimeOffset.UtcNow.AddDays(-1);
        var to = notAfter ?? DateTimeOffset.UtcNow.AddDays(10);
        using var issued = request.Create(issuer, from, to, RandomNumberGenerator.GetBytes(8));
        return issued.CopyWithPrivateKey(key);
    }

    /// <summary>A self-signed certificate of an RSA key or (default) an EC key.</summary>
    public static X509Certificate2 SelfSigned(string subject, bool rsa = false)
    {
        if (rsa)
        {
            using var rsaKey = RSA.Create(2048);
            return new CertificateRequest(subject, rsaKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)
                .CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(10));
        }

        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        return new CertificateRequest(subject, key, HashAlgorithmName.SHA256).CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(10));
    }

    public static void AllNames(SubjectAlternativeNameBuilder names)
    {
        names.AddDnsName("client.example.com");
        names.AddUri(new Uri("https://client.example.com/id"));
        names.AddIpAddress(IPAddress.Parse("192.0.2.10"));
        names.AddEmailAddress("ops@client.example.com");
    }
}
