using System.Security.Cryptography;
using Backchannel.Protocol;
using Backchannel.Tests.Support;

namespace Backchannel.Tests;

public class CertificateThumbprintTests
{
    [Fact]
    public void The_thumbprint_is_the_unpadded_base64url_sha256_of_the_der_certificate()
    {
        var certificate = TestCertificateFactory.SelfSigned("CN=thumbprint");
        var expected = Convert.ToBase64String(SHA256.HashData(certificate.RawData)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

        var thumbprint = CertificateThumbprint.Sha256(certificate);

        Assert.Equal(expected, thumbprint);
        Assert.Equal(43, thumbprint.Length);
        Assert.Equal("x5t#S256", CertificateThumbprint.ConfirmationMember);
    }

    [Fact]
    public void Two_certificates_of_one_subject_have_different_thumbprints()
    {
        Assert.NotEqual(CertificateThumbprint.Sha256(TestCertificateFactory.SelfSigned("CN=same")),
            CertificateThumbprint.Sha256(TestCertificateFactory.SelfSigned("CN=same")));
    }
}
