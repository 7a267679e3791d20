using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Backchannel.IntegrationTests.Infrastructure;

/// <summary>
/// The certificates of the mutual-TLS tests, made in the test with CertificateRequest: the server's (RSA, for
/// 127.0.0.1, from its own CA, as PEM files for <c>Kestrel:Endpoints</c>); a client CA (its PEM file is
/// <c>Mtls:TrustedCaFile</c>) and the client certificates it issues; self-signed client certificates; and a CA nobody
/// trusts. Client certificates go through PKCS#12 so that TLS can use their keys.
/// </summary>
internal sealed class MtlsCertificates
{
    public const string ClientAuthUsage = "1.3.6.1.5.5.7.3.2";

    private MtlsCertificates(string directory)
    {
        Directory = directory;
        using var serverCaKey = RSA.Create(2048);
        var serverCaRequest = new CertificateRequest("CN=Backchannel mTLS test server CA", serverCaKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        serverCaRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        using var serverCa = serverCaRequest.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        using var serverKey = RSA.Create(2048);
        var request = new CertificateRequest("CN=127.0.0.1", serverKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        using var server = request.Create(serverCa, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(10), RandomNumberGenerator.GetBytes(8));
        Server = X509CertificateLoader.LoadCertificate(server.RawData);
        ServerCertificateFile = Path.Combine(directory, "server.pem");
        ServerKeyFile = Path.Combine(directory, "server.key");
        File.WriteAllText(ServerCertificateFile, server.ExportCertificatePem());
        File.WriteAllText(ServerKeyFile, serverKey.ExportPkcs8PrivateKeyPem());
        ServerCaFile = Path.Combine(directory, "server-ca.pem");
        File.WriteAllText(ServerCaFile, serverCa.ExportCertificatePem());

        ClientCa = Authority("CN=Backchannel mTLS test client CA");
        UntrustedCa = Authority("CN=Backchannel mTLS test client CA");
        ClientCaFile = Path.Combine(directory, "client-ca.pem");
        File.WriteAllText(ClientCaFile, ClientCa.ExportCertificatePem());
    }

    public string Directory { get; }

    public X509Certificate2 Server { get; }

    public string ServerCertificateFile { get; }

    public string ServerKeyFile { get; }

    /// <summary>The PEM of the CA that issued <see cref="Server"/>: what a client outside the test process trusts.</summary>
    public string ServerCaFile { get; }

    public X509Certificate2 ClientCa { get; }

    /// <summary>A CA of the same name as <see cref="ClientCa"/> but another key: what it issues must not be trusted.</summary>
    public X509Certificate2 UntrustedCa { get; }

    public string ClientCaFile { get; }

    public static MtlsCertificates Create(string directory)
    {
        System.IO.Directory.CreateDirectory(directory);
        return new MtlsCertificates(directory);
    }

    /// <summary>
    /// The settings of a provider with mutual TLS on these certificates: an HTTPS alias listener at
    /// <paramref name="aliasBase"/> (in <c>Kestrel:Endpoints</c>, with the test server certificate), <c>Mtls:Enabled</c>,
    /// <c>Mtls:BaseUrl</c> and the client CA as <c>Mtls:TrustedCaFile</c>.
    /// </summary>
    public Dictionary<string, string?> ProviderSettings(string aliasBase) => new()
    {
        ["Kestrel:Endpoints:Mtls:Url"] = aliasBase,
        ["Kestrel:Endpoints:Mtls:Certificate:Path"] = ServerCertificateFile,
        ["Kestrel:Endpoints:Mtls:Certificate:KeyPath"] = ServerKeyFile,
        ["Backchannel:Mtls:Enabled"] = "true",
        ["Backchannel:Mtls:BaseUrl"] = aliasBase,
        ["Backchannel:Mtls:TrustedCaFile"] = ClientCaFile,
    };

    /// <summary>A client certificate <paramref name="issuer"/> (the trusted client CA by default) issues.</summary>
    public X509Certificate2 Client(string subject, Action<SubjectAlternativeNameBuilder>? names = null, X509Certificate2? issuer = null)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        if (names is not null)
        {
            var builder = new SubjectAlternativeNameBuilder();
            names(builder);
            request.CertificateExtensions.Add(builder.Build());
        }

        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(ClientAuthUsage)], false));
        using var issued = request.Create(issuer ?? ClientCa, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(10), RandomNumberGenerator.GetBytes(8));
        return Usable(issued.CopyWithPrivateKey(key));
    }

    /// <summary>A self-signed client certificate, and its public key as the members of a JWK.</summary>
    public static (X509Certificate2 Certificate, Dictionary<string, string> Jwk) SelfSigned(string subject)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var certificate = Usable(new CertificateRequest(subject, key, HashAlgorithmName.SHA256)
            .CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(10)));
        var parameters = key.ExportParameters(false);
        var jwk = new Dictionary<string, string>
        {
            ["kty"] = "EC",
            ["crv"] = "P-256",
            ["x"] = Microsoft.IdentityModel.Tokens.Base64UrlEncoder.Encode(parameters.Q.X),
            ["y"] = Microsoft.IdentityModel.Tokens.Base64UrlEncoder.Encode(parameters.Q.Y),
        };
        return (certificate, jwk);
    }

    /// <summary>
    /// An HttpClient that presents <paramref name="certificate"/> whenever the server asks for one (none: it presents
    /// nothing), trusts only the test server's certificate, and connects from <paramref name="localAddress"/> when given
    /// (another loopback address, as a proxy elsewhere would).
    /// </summary>
    public HttpClient HttpClient(string baseAddress, X509Certificate2? certificate, IPAddress? localAddress = null)
    {
        var handler = new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions
            {
                ClientCertificates = certificate is null ? null : [certificate],
                LocalCertificateSelectionCallback = certificate is null ? null : (_, _, _, _, _) => certificate,
                RemoteCertificateValidationCallback = (_, presented, _, _) => presented is not null && presented.GetRawCertData().AsSpan().SequenceEqual(Server.RawData),
            },
        };
        if (localAddress is not null)
        {
            handler.ConnectCallback = async (context, cancellationToken) =>
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    socket.Bind(new IPEndPoint(localAddress, 0));
                    await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            };
        }

        return new HttpClient(handler) { BaseAddress = new Uri(baseAddress) };
    }

    private static X509Certificate2 Authority(string name)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(name, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
    }

    private static X509Certificate2 Usable(X509Certificate2 certificate) =>
        X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pfx), null);
}
