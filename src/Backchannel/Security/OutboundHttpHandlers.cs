using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Backchannel.Protocol;

namespace Backchannel.Security;

/// <summary>
/// HTTP handlers for the provider's outgoing calls. Redirects are never followed. For URLs that clients registered
/// (notification endpoints, jwks_uri) the connection is checked against the address it actually reaches, so that a
/// name resolving to a private address (DNS rebinding included) is refused unless the settings allow it.
/// </summary>
public static class OutboundHttpHandlers
{
    public static SocketsHttpHandler Create(bool allowPrivateNetworks, TimeSpan connectTimeout, string? trustedCertificatesFile = null)
    {
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseCookies = false,
            UseProxy = false,
            ConnectTimeout = connectTimeout,
            PooledConnectionLifetime = TimeSpan.FromMinutes(2),
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
            MaxConnectionsPerServer = 256,
        };

        if (!allowPrivateNetworks)
        {
            handler.ConnectCallback = ConnectToPublicAddressAsync;
        }

        handler.SslOptions.RemoteCertificateValidationCallback = CertificateValidation(trustedCertificatesFile);
        return handler;
    }

    /// <summary>
    /// The validation of a server certificate that also trusts the anchors of <paramref name="trustedCertificatesFile"/> (a PEM
    /// file; <c>Notifications:TrustedCertificatesFile</c>); null (the system's validation) when there is none. Other
    /// outgoing TLS connections (SMTP) use it too.
    /// </summary>
    public static RemoteCertificateValidationCallback? CertificateValidation(string? trustedCertificatesFile)
    {
        if (string.IsNullOrEmpty(trustedCertificatesFile))
        {
            return null;
        }

        var anchors = new X509Certificate2Collection();
        anchors.ImportFromPemFile(trustedCertificatesFile);
        return (_, certificate, chain, errors) => TrustedBy(anchors, certificate, chain, errors);
    }

    /// <summary>Valid for the system, or a chain to one of the extra anchors with nothing else wrong (the host name must still match).</summary>
    private static bool TrustedBy(X509Certificate2Collection anchors, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (errors == SslPolicyErrors.None)
        {
            return true;
        }

        if (errors != SslPolicyErrors.RemoteCertificateChainErrors || certificate is not X509Certificate2 leaf)
        {
            return false;
        }

        using var custom = new X509Chain();
        custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        custom.ChainPolicy.CustomTrustStore.AddRange(anchors);
        custom.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (chain is not null)
        {
            custom.ChainPolicy.ExtraStore.AddRange(chain.ChainPolicy.ExtraStore);
        }

        return custom.Build(leaf);
    }

    private static async ValueTask<Stream> ConnectToPublicAddressAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var host = context.DnsEndPoint.Host;
        var addresses = IPAddress.TryParse(host.Trim('[', ']'), out var literal)
            ? [literal]
            : await Dns.GetHostAddressesAsync(host, cancellationToken);
        var allowed = addresses.Where(NotificationEndpointRules.IsPublic).ToArray();
        if (allowed.Length == 0)
        {
            throw new HttpRequestException($"{host} resolves only to loopback, private or reserved addresses, which notifications may not reach.");
        }

        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(allowed, context.DnsEndPoint.Port, cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
