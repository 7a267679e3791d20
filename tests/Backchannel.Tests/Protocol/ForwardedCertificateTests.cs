using Backchannel.Protocol;
using Backchannel.Tests.Support;

namespace Backchannel.Tests;

public class ForwardedCertificateTests
{
    private static readonly System.Security.Cryptography.X509Certificates.X509Certificate2 Certificate =
        TestCertificateFactory.SelfSigned("CN=forwarded", rsa: true);

    public static TheoryData<string, string> Forms()
    {
        var pem = Certificate.ExportCertificatePem();
        var der = Convert.ToBase64String(Certificate.RawData);
        return new TheoryData<string, string>
        {
            { "nginx $ssl_client_escaped_cert (URL-encoded PEM)", Uri.EscapeDataString(pem) },
            { "PEM on one line with spaces (nginx $ssl_client_cert style)", pem.Replace("\n", " ", StringComparison.Ordinal) },
            { "PEM", pem },
            { "HAProxy %[ssl_c_der,base64] (base64 DER)", der },
            { "base64url DER without padding", der.TrimEnd('=').Replace('+', '-').Replace('/', '_') },
            { "URL-encoded base64 DER (Traefik)", Uri.EscapeDataString(der) },
            { "quoted PEM", "\"" + Uri.EscapeDataString(pem) + "\"" },
        };
    }

    [Theory]
    [MemberData(nameof(Forms))]
    public void Each_proxy_form_yields_the_certificate(string form, string header)
    {
        var parsed = ForwardedCertificate.Parse(header);

        Assert.True(parsed is not null, form);
        Assert.Equal(Certificate.RawData, parsed.RawData);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("not a certificate")]
    [InlineData("AAAA")]
    [InlineData("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----")]
    public void Anything_else_is_no_certificate(string? header)
    {
        Assert.Null(ForwardedCertificate.Parse(header));
    }

    [Fact]
    public void A_header_longer_than_the_limit_is_not_read()
    {
        var padded = Convert.ToBase64String(Certificate.RawData) + new string(' ', ForwardedCertificate.MaxHeaderLength);

        Assert.Null(ForwardedCertificate.Parse(padded));
    }
}
