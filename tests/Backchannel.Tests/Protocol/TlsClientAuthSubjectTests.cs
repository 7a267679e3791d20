using System.Net;
using System.Security.Cryptography.X509Certificates;
using Backchannel.Protocol;
using Backchannel.Tests.Support;

namespace Backchannel.Tests;

public class TlsClientAuthSubjectTests
{
    private static readonly X509Certificate2 Authority = TestCertificateFactory.Authority("CN=Subject test CA");

    private static readonly X509Certificate2 Client = TestCertificateFactory.Issue(Authority, "CN=teller-desk, OU=Branches, O=Example Bank, C=GB",
        TestCertificateFactory.AllNames);

    private static TlsClientAuthSubject Subject(TlsClientAuthSubjectKind kind, string value)
    {
        var subject = TlsClientAuthSubject.Create(kind, value);
        Assert.True(subject.Succeeded, subject.Error?.Description);
        return subject.Value;
    }

    [Theory]
    [InlineData("CN=teller-desk, OU=Branches, O=Example Bank, C=GB")]
    [InlineData("CN=teller-desk,OU=Branches,O=Example Bank,C=GB")]
    [InlineData("cn=TELLER-desk, ou=branches, o=example  bank, c=gb")]
    public void The_subject_dn_matches_attribute_by_attribute_ignoring_case_and_spaces(string dn)
    {
        Assert.True(Subject(TlsClientAuthSubjectKind.SubjectDn, dn).Matches(Client));
    }

    [Theory]
    [InlineData("CN=teller-desk, OU=Branches, O=Example Bank")]
    [InlineData("CN=teller-desk, OU=Branches, O=Other Bank, C=GB")]
    [InlineData("C=GB, O=Example Bank, OU=Branches, CN=teller-desk")]
    [InlineData("CN=teller-desk, OU=Branches, O=Example Bank, C=GB, L=London")]
    public void Another_subject_dn_does_not_match(string dn)
    {
        Assert.False(Subject(TlsClientAuthSubjectKind.SubjectDn, dn).Matches(Client));
    }

    [Theory]
    [InlineData(TlsClientAuthSubjectKind.SanDns, "client.example.com")]
    [InlineData(TlsClientAuthSubjectKind.SanDns, "CLIENT.example.com")]
    [InlineData(TlsClientAuthSubjectKind.SanUri, "https://client.example.com/id")]
    [InlineData(TlsClientAuthSubjectKind.SanIp, "192.0.2.10")]
    [InlineData(TlsClientAuthSubjectKind.SanEmail, "ops@client.example.com")]
    public void A_subject_alternative_name_of_the_registered_kind_matches(TlsClientAuthSubjectKind kind, string value)
    {
        Assert.True(Subject(kind, value).Matches(Client));
    }

    [Theory]
    [InlineData(TlsClientAuthSubjectKind.SanDns, "other.example.com")]
    [InlineData(TlsClientAuthSubjectKind.SanDns, "example.com")]
    [InlineData(TlsClientAuthSubjectKind.SanUri, "https://client.example.com/ID")]
    [InlineData(TlsClientAuthSubjectKind.SanUri, "https://client.example.com/id/more")]
    [InlineData(TlsClientAuthSubjectKind.SanIp, "192.0.2.11")]
    [InlineData(TlsClientAuthSubjectKind.SanEmail, "client.example.com@x.example")]
    [InlineData(TlsClientAuthSubjectKind.SanEmail, "ops@other.example.com")]
    public void Another_name_or_a_name_of_another_kind_does_not_match(TlsClientAuthSubjectKind kind, string value)
    {
        Assert.False(Subject(kind, value).Matches(Client));
    }

    [Fact]
    public void An_ipv6_address_matches_in_any_notation()
    {
        var client = TestCertificateFactory.Issue(Authority, "CN=v6", names => names.AddIpAddress(IPAddress.Parse("2001:db8::1")));

        Assert.True(Subject(TlsClientAuthSubjectKind.SanIp, "2001:0db8:0:0::1").Matches(client));
    }

    [Fact]
    public void A_certificate_without_alternative_names_matches_no_san()
    {
        var bare = TestCertificateFactory.Issue(Authority, "CN=client.example.com");

        Assert.False(Subject(TlsClientAuthSubjectKind.SanDns, "client.example.com").Matches(bare));
        Assert.Empty(CertificateNames.AlternativeNames(bare));
    }

    [Theory]
    [InlineData(TlsClientAuthSubjectKind.SubjectDn, "not a dn", "tls_client_auth_subject_dn is not a distinguished name")]
    [InlineData(TlsClientAuthSubjectKind.SubjectDn, "", "tls_client_auth_subject_dn must have 1 to 1024 characters")]
    [InlineData(TlsClientAuthSubjectKind.SanIp, "192.0.2", "tls_client_auth_san_ip is not an IPv4 or IPv6 address")]
    [InlineData(TlsClientAuthSubjectKind.SanUri, "client.example.com/id", "tls_client_auth_san_uri is not an absolute URI")]
    [InlineData(TlsClientAuthSubjectKind.SanEmail, "ops", "tls_client_auth_san_email is not an e-mail address")]
    [InlineData(TlsClientAuthSubjectKind.SanDns, "client example", "tls_client_auth_san_dns is not a DNS name")]
    public void A_malformed_value_is_refused_naming_its_member(TlsClientAuthSubjectKind kind, string value, string expected)
    {
        var subject = TlsClientAuthSubject.Create(kind, value);

        Assert.False(subject.Succeeded);
        Assert.StartsWith(expected, subject.Error.Description, StringComparison.Ordinal);
    }
}
