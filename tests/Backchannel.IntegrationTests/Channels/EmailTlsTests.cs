using Backchannel.IntegrationTests.Infrastructure;

namespace Backchannel.IntegrationTests.Channels;

/// <summary>
/// The e-mail channel over TLS to a real SMTP server (aiosmtpd with a certificate of a test authority, trusted through
/// Notifications:TrustedCertificatesFile): STARTTLS, and TLS from the first byte.
/// </summary>
public sealed class EmailTlsTests
{
    [Theory]
    [InlineData("StartTls", false)]
    [InlineData("SslOnConnect", true)]
    public async Task Mail_goes_over_tls_to_a_server_whose_authority_is_trusted(string security, bool implicitTls)
    {
        var directory = Path.Combine(Path.GetTempPath(), "backchannel-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        var certificates = TestCertificates.Create(directory);
        await using var smtp = await SmtpServer.StartAsync(certificates: certificates, implicitTls: implicitTls);
        await using var provider = await TestProvider.StartAsync(new Dictionary<string, string?>(MailSettings.Through(smtp.Port))
        {
            ["Backchannel:Channels:Email:Security"] = security,
            ["Backchannel:Notifications:TrustedCertificatesFile"] = certificates.AuthorityPemFile,
        });

        var message = "TLS " + Guid.NewGuid().ToString("N")[..8];
        Assert.False((await provider.AuthorizeAsync("alice", message)).IsError);

        var mail = Assert.Single(await smtp.WaitForAsync(message, 1));
        Assert.Equal("alice@example.com", mail.Message.To.Mailboxes.Single().Address);
    }
}
