using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Backchannel.Security;
using Backchannel.Tests.Support;
using Microsoft.IdentityModel.Tokens;

namespace Backchannel.Tests.Security;

public class SelfSignedCertificateVerifierTests
{
    private static bool Matches(SecurityKey key, X509Certificate2 certificate) =>
        SelfSignedCertificateVerifier.Matches(key, certificate, SelfSignedCertificateVerifier.PublicKeyThumbprint(certificate)!);

    private static JsonWebKey PublicJwk(X509Certificate2 certificate)
    {
        using var rsa = certificate.GetRSAPublicKey();
        if (rsa is not null)
        {
            return JsonWebKeyConverter.ConvertFromRSASecurityKey(new RsaSecurityKey(rsa.ExportParameters(false)));
        }

        using var ec = certificate.GetECDsaPublicKey()!;
        return JsonWebKeyConverter.ConvertFromECDsaSecurityKey(new ECDsaSecurityKey(ECDsa.Create(ec.ExportParameters(false))));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void The_certificates_own_public_key_as_a_jwk_matches(bool rsa)
    {
        var certificate = TestCertificateFactory.SelfSigned("CN=self", rsa);

        Assert.True(Matches(PublicJwk(certificate), certificate));
    }

    [Fact]
    public void A_jwk_whose_x5c_is_the_certificate_matches()
    {
        var certificate = TestCertificateFactory.SelfSigned("CN=self");
        var other = PublicJwk(TestCertificateFactory.SelfSigned("CN=other"));
        other.X5c.Add(Convert.ToBase64String(certificate.RawData));

        Assert.True(Matches(other, certificate));
    }

    [Fact]
    public void Another_key_does_not_match()
    {
        var certificate = TestCertificateFactory.SelfSigned("CN=self");

        Assert.False(Matches(PublicJwk(TestCertificateFactory.SelfSigned("CN=self")), certificate));
        Assert.False(Matches(PublicJwk(TestCertificateFactory.SelfSigned("CN=self", rsa: true)), certificate));
    }
}
