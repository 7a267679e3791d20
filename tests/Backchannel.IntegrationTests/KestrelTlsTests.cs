using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Backchannel.Hosting;
using Backchannel.IntegrationTests.Infrastructure;
using Backchannel.Protocol;
using Backchannel.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Backchannel.IntegrationTests;

/// <summary>
/// What the provider sets on Kestrel's HTTPS listeners (<see cref="KestrelTlsSetup"/>), seen through real handshakes:
/// client certificates asked for on the mutual-TLS alias port only, and the FAPI 1.0 cipher suites for TLS 1.2 when a
/// FAPI profile is on. (TLS 1.0 and 1.1 are off by <see cref="TlsPolicy.Protocols"/>; this machine's OpenSSL refuses to
/// speak them even as a client, so no handshake can show the server refusing them.)
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class KestrelTlsTests : IAsyncLifetime
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "backchannel-tests", "tls-" + Guid.NewGuid().ToString("N"));
    private MtlsCertificates _certificates = null!;

    public Task InitializeAsync()
    {
        _certificates = MtlsCertificates.Create(_directory);
        return Task.CompletedTask;
    }

    public Task DisposeAsync()
    {
        Directory.Delete(_directory, recursive: true);
        return Task.CompletedTask;
    }

    /// <summary>A Kestrel server with HTTPS endpoints in Kestrel:Endpoints and the provider's TLS setup; it answers with the client certificate's subject.</summary>
    private async Task<WebApplication> StartAsync(IReadOnlyList<int> ports, MtlsOptions mtls, string? fapiProfile)
    {
        var builder = WebApplication.CreateBuilder();
        builder.Configuration.Sources.Clear();
        var settings = new Dictionary<string, string?>();
        for (var i = 0; i < ports.Count; i++)
        {
            settings[$"Kestrel:Endpoints:E{i}:Url"] = $"https://127.0.0.1:{ports[i]}";
            settings[$"Kestrel:Endpoints:E{i}:Certificate:Path"] = _certificates.ServerCertificateFile;
            settings[$"Kestrel:Endpoints:E{i}:Certificate:KeyPath"] = _certificates.ServerKeyFile;
        }

        builder.Configuration.AddInMemoryCollection(settings);
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton<IConfigureOptions<KestrelServerOptions>>(
            new KestrelTlsSetup(Options.Create(mtls), Options.Create(new FapiOptions { Profile = fapiProfile })));
        var app = builder.Build();
        app.MapGet("/", (HttpContext context) => context.Connection.ClientCertificate?.Subject ?? "none");
        await app.StartAsync();
        return app;
    }

    private async Task<(SslProtocols Protocol, TlsCipherSuite Cipher)> HandshakeAsync(int port, SslProtocols protocols, CipherSuitesPolicy? ciphers = null)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, port);
        await using var ssl = new SslStream(tcp.GetStream());
        await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = "127.0.0.1",
            EnabledSslProtocols = protocols,
            CipherSuitesPolicy = ciphers,
            RemoteCertificateValidationCallback = (_, certificate, _, _) => certificate!.GetRawCertData().AsSpan().SequenceEqual(_certificates.Server.RawData),
        });
        return (ssl.SslProtocol, ssl.NegotiatedCipherSuite);
    }

    [Fact]
    public async Task A_client_certificate_is_asked_for_and_read_on_the_alias_port_only()
    {
        int[] ports = [FreePort.Next(), FreePort.Next()];
        var mtls = new MtlsOptions { Enabled = true, BaseUrl = $"https://127.0.0.1:{ports[1]}" };
        await using var app = await StartAsync(ports, mtls, null);
        var certificate = _certificates.Client("CN=alias client");

        using var main = _certificates.HttpClient($"https://127.0.0.1:{ports[0]}", certificate);
        using var alias = _certificates.HttpClient(mtls.BaseUrl, certificate);

        Assert.Equal("none", await main.GetStringAsync("/"));
        Assert.Equal("CN=alias client", await alias.GetStringAsync("/"));

        // The alias lets any certificate through the handshake (the application checks it per client): a self-signed one too.
        using var selfSigned = _certificates.HttpClient(mtls.BaseUrl, MtlsCertificates.SelfSigned("CN=self").Certificate);
        Assert.Equal("CN=self", await selfSigned.GetStringAsync("/"));
    }

    [Fact]
    public async Task Under_a_fapi_profile_tls_1_2_offers_only_the_fapi_cipher_suites()
    {
        int[] ports = [FreePort.Next()];
        int[] plainPorts = [FreePort.Next()];
        await using var fapi = await StartAsync(ports, new MtlsOptions(), "Fapi1Ciba");
        await using var plain = await StartAsync(plainPorts, new MtlsOptions(), "None");
        var outsideFapi = new CipherSuitesPolicy([TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256]);

        // Without the profile the platform's suites apply, this CBC suite among them; with it, the handshake fails.
        Assert.Equal(TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256, (await HandshakeAsync(plainPorts[0], SslProtocols.Tls12, outsideFapi)).Cipher);
        await Assert.ThrowsAnyAsync<AuthenticationException>(() => HandshakeAsync(ports[0], SslProtocols.Tls12, outsideFapi));

        foreach (var suite in new[] { TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384 })
        {
            var (protocol, cipher) = await HandshakeAsync(ports[0], SslProtocols.Tls12, new CipherSuitesPolicy([suite]));
            Assert.Equal(SslProtocols.Tls12, protocol);
            Assert.Equal(suite, cipher);
        }

        Assert.Equal(SslProtocols.Tls13, (await HandshakeAsync(ports[0], SslProtocols.Tls13)).Protocol);
    }

    [Theory]
    [InlineData(null, false)]
    [InlineData("None", false)]
    [InlineData("none", false)]
    [InlineData("Fapi1Ciba", true)]
    [InlineData("Fapi2Ciba", true)]
    public void The_fapi_cipher_suites_follow_the_fapi_profile_setting(string? profile, bool fapi)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Fapi:Profile"] = profile }).Build();

        var options = configuration.GetSection("Fapi").Get<FapiOptions>() ?? new FapiOptions();

        Assert.Equal(fapi, KestrelTlsSetup.FapiProfileOn(options));
        Assert.Equal(fapi, TlsPolicy.CipherSuites(fapi) is not null);
    }
}
