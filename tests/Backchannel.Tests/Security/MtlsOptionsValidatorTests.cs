using Backchannel.Security;
using Backchannel.Tests.Support;

namespace Backchannel.Tests.Security;

public sealed class MtlsOptionsValidatorTests : IDisposable
{
    private readonly string _caFile = Path.Combine(Path.GetTempPath(), $"mtls-ca-{Guid.NewGuid():N}.pem");

    public MtlsOptionsValidatorTests() =>
        File.WriteAllText(_caFile, TestCertificateFactory.Authority("CN=Validator CA").ExportCertificatePem());

    public void Dispose() => File.Delete(_caFile);

    private static IReadOnlyList<string> Errors(MtlsOptions options)
    {
        var result = new MtlsOptionsValidator().Validate(null, options);
        return result.Succeeded ? [] : result.Failures!.ToList();
    }

    [Fact]
    public void A_complete_configuration_passes()
    {
        Assert.Empty(Errors(new MtlsOptions
        {
            Enabled = true,
            BaseUrl = "https://mtls.example.com",
            TrustedCaFile = _caFile,
            ForwardedCertificateHeader = "X-Client-Cert",
            TrustedProxies = ["10.0.0.5", "10.1.0.0/16"],
        }));
        Assert.Empty(Errors(new MtlsOptions()));
    }

    [Theory]
    [InlineData(null, "Backchannel:Mtls:BaseUrl is required")]
    [InlineData("http://mtls.example.com", "must be an absolute https URL")]
    [InlineData("https://mtls.example.com/?a=b", "must be an absolute https URL")]
    [InlineData("mtls.example.com", "must be an absolute https URL")]
    public void Mtls_needs_an_https_base_url(string? baseUrl, string expected)
    {
        Assert.Contains(Errors(new MtlsOptions { Enabled = true, BaseUrl = baseUrl }), e => e.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void A_trusted_ca_file_that_is_missing_or_holds_no_certificate_is_named()
    {
        var empty = Path.Combine(Path.GetTempPath(), $"mtls-empty-{Guid.NewGuid():N}.pem");
        File.WriteAllText(empty, "no certificate here");
        try
        {
            Assert.Contains(Errors(new MtlsOptions { TrustedCaFile = "/nonexistent/ca.pem" }),
                e => e.StartsWith("Backchannel:Mtls:TrustedCaFile '/nonexistent/ca.pem' cannot be read", StringComparison.Ordinal));
            Assert.Contains(Errors(new MtlsOptions { TrustedCaFile = empty }), e => e.Contains("holds no PEM certificate", StringComparison.Ordinal));
        }
        finally
        {
            File.Delete(empty);
        }
    }

    [Fact]
    public void A_forwarded_header_needs_trusted_proxies_and_the_other_way_round()
    {
        Assert.Contains(Errors(new MtlsOptions { ForwardedCertificateHeader = "X-Client-Cert" }),
            e => e.StartsWith("Backchannel:Mtls:ForwardedCertificateHeader needs Backchannel:Mtls:TrustedProxies", StringComparison.Ordinal));
        Assert.Contains(Errors(new MtlsOptions { TrustedProxies = ["10.0.0.5"] }),
            e => e.StartsWith("Backchannel:Mtls:TrustedProxies is set without", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("X Client Cert", "is not a valid HTTP header name")]
    [InlineData("Authorization", "a header with another meaning")]
    public void The_forwarded_header_must_be_a_free_header_name(string header, string expected)
    {
        Assert.Contains(Errors(new MtlsOptions { ForwardedCertificateHeader = header, TrustedProxies = ["10.0.0.5"] }),
            e => e.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void Each_trusted_proxy_that_does_not_parse_is_named_by_its_index()
    {
        var errors = Errors(new MtlsOptions { ForwardedCertificateHeader = "X-Client-Cert", TrustedProxies = ["10.0.0.5", "proxy.example.com"] });

        Assert.Equal(["Backchannel:Mtls:TrustedProxies:1 'proxy.example.com' is not an IP address or CIDR range (e.g. 10.0.0.5 or 10.0.0.0/24)."], errors);
    }
}
