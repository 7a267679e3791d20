using System.Net;
using Backchannel.Security;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Backchannel.Hosting;

/// <summary>
/// What the provider sets on every HTTPS listener of Kestrel (those of <c>Kestrel:Endpoints</c>, <c>--urls</c> and code
/// alike, through Kestrel's HTTPS defaults): TLS 1.2 and 1.3 only; the FAPI cipher suites when a FAPI profile is on;
/// and with mutual TLS, a request for a client certificate on connections that arrive on the port of
/// <c>Mtls:BaseUrl</c> only (any certificate is let through the handshake: the application checks the chain or the key,
/// per client). Other ports never ask, so browsers on the main address see no certificate prompt.
/// </summary>
internal sealed class KestrelTlsSetup(IOptions<MtlsOptions> mtls, IConfiguration configuration) : IConfigureOptions<KestrelServerOptions>
{
    public void Configure(KestrelServerOptions kestrel)
    {
        var aliasPort = mtls.Value.AliasPort;
        var ciphers = TlsPolicy.CipherSuites(FapiProfileOn(configuration));
        kestrel.ConfigureHttpsDefaults(https =>
        {
            https.SslProtocols = TlsPolicy.Protocols;
            if (aliasPort is not null)
            {
                https.ClientCertificateMode = ClientCertificateMode.AllowCertificate;
                https.CheckCertificateRevocation = false;
                https.ClientCertificateValidation = static (_, _, _) => true;
            }

            var configured = https.OnAuthenticate;
            https.OnAuthenticate = (connection, ssl) =>
            {
                configured?.Invoke(connection, ssl);
                if (aliasPort is { } port && (connection.LocalEndPoint as IPEndPoint)?.Port != port)
                {
                    ssl.ClientCertificateRequired = false;
                }

                if (ciphers is not null)
                {
                    ssl.CipherSuitesPolicy = ciphers;
                }
            };
        });
    }

    /// <summary>
    /// Whether a FAPI profile is on: <c>Backchannel:Fapi:Profile</c> set to anything but <c>None</c>. The setting belongs
    /// to the FAPI profile's options (validated there); only its raw value is read here.
    /// </summary>
    internal static bool FapiProfileOn(IConfiguration configuration) =>
        configuration["Fapi:Profile"] is { Length: > 0 } profile && !profile.Equals("None", StringComparison.OrdinalIgnoreCase);
}
