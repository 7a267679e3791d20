using System.Security.Cryptography.X509Certificates;
using Backchannel.Security;
using Backchannel.Tests.Support;

namespace Backchannel.Tests.Security;

public class ClientCertificateAuthoritiesTests
{
    private static readonly X509Certificate2 Root = TestCertificateFactory.Authority("CN=Trusted root");
    private static readonly X509Certificate2 Intermediate = TestCertificateFactory.Authority("CN=Trusted intermediate", Root);
    private static readonly X509Certificate2 OtherRoot = TestCertificateFactory.Authority("CN=Other root");

    private static ClientCertificateAuthorities Authorities(params X509Certificate2[] cas) =>
        new([.. cas.Select(c => X509CertificateLoader.LoadCertificate(c.RawData))]);

    [Fact]
    public void A_certificate_issued_by_a_trusted_root_passes()
    {
        var client = TestCertificateFactory.Issue(Root, "CN=client");

        Assert.Null(Authorities(Root).ChainProblem(client, DateTimeOffset.UtcNow));
    }

    [Fact]
    public void A_certificate_issued_by_an_intermediate_of_the_file_passes_and_the_file_sorts_roots_from_intermediates()
    {
        var authorities = Authorities(Root, Intermediate);
        var client = TestCertificateFactory.Issue(Intermediate, "CN=client");

        Assert.Null(authorities.ChainProblem(client, DateTimeOffset.UtcNow));
        Assert.Equal(Root.RawData, Assert.Single(authorities.Roots).RawData);
        Assert.Equal(Intermediate.RawData, Assert.Single(authorities.Intermediates).RawData);
    }

    [Fact]
    public void A_certificate_of_another_ca_is_refused()
    {
        var client = TestCertificateFactory.Issue(OtherRoot, "CN=client");

        Assert.StartsWith("its chain is not trusted", Authorities(Root).ChainProblem(client, DateTimeOffset.UtcNow));
    }

    [Fact]
    public void A_self_signed_certificate_is_refused()
    {
        Assert.NotNull(Authorities(Root).ChainProblem(TestCertificateFactory.SelfSigned("CN=client"), DateTimeOffset.UtcNow));
    }

    [Fact]
    public void A_certificate_is_refused_outside_its_validity_at_the_providers_time()
    {
        var client = TestCertificateFactory.Issue(Root, "CN=client");

        Assert.Contains("NotTimeValid", Authorities(Root).ChainProblem(client, DateTimeOffset.UtcNow.AddDays(20)));
        Assert.Null(Authorities(Root).ChainProblem(client, DateTimeOffset.UtcNow.AddDays(5)));
    }

    [Fact]
    public void A_verified_certificate_is_remembered_only_within_its_validity()
    {
        var client = TestCertificateFactory.Issue(Root, "CN=client");
        var authorities = Authorities(Root);

        Assert.Null(authorities.ChainProblem(client, DateTimeOffset.UtcNow));
        Assert.Null(authorities.ChainProblem(client, DateTimeOffset.UtcNow.AddDays(5)));
        Assert.Contains("NotTimeValid", authorities.ChainProblem(client, DateTimeOffset.UtcNow.AddDays(20)));
        Assert.Contains("NotTimeValid", authorities.ChainProblem(client, DateTimeOffset.UtcNow.AddDays(-2)));
    }

    [Fact]
    public void A_certificate_only_for_servers_is_refused()
    {
        var server = TestCertificateFactory.Issue(Root, "CN=client", usage: TestCertificateFactory.ServerAuthUsage);

        Assert.Contains("NotValidForUsage", Authorities(Root).ChainProblem(server, DateTimeOffset.UtcNow));
    }

    [Fact]
    public void Without_a_trusted_ca_nothing_passes()
    {
        var client = TestCertificateFactory.Issue(Root, "CN=client");

        Assert.Equal("no trusted CA is configured (Mtls:TrustedCaFile)", Authorities().ChainProblem(client, DateTimeOffset.UtcNow));
    }
}
