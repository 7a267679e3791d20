using System.Net;
using Backchannel.Protocol;
using Backchannel.Security;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.Options;

namespace Backchannel.Hosting;

/// <summary>
/// What the provider sets on every HTTPS listener of Kestrel (those of <c>Kestrel:Endpoints</c>, <c>--urls</c> and code
/// alike, through Kestrel's HTTPS defaults): TLS 1.2 and 1.3 only; the FAPI cipher suites when a FAPI profile is on;
/// and with mutual TLS, a request for a client certificate on connections that arrive on the port of
/// <c>Mtls:BaseUrl</c> only (any certificate is let through the handshake: the application checks the chain or the key,
/// per client). Other ports never ask, so browsers on the main address see no certificate prompt.
/// The cipher suites are the server's: a TLS handshake happens before any client is known, so the server-wide
/// <c>Fapi:Profile</c> decides them, and a client's own <c>fapi_profile</c> cannot change them.
/// </summary>
internal sealed class KestrelTlsSetup(IOptions<MtlsOptions> mtls, IOptions<FapiOptions> fapi) : IConfigureOptions<KestrelServerOptions>
{
    public void Configure(KestrelServerOptions kestrel)
    {
        var aliasPort = mtls.Value.AliasPort;
        var ciphers = TlsPolicy.CipherSuites(FapiProfileOn(fapi.Value));
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
    /// Whether the server-wide FAPI profile (<c>Backchannel:Fapi:Profile</c>, as <see cref="FapiOptions"/> reads and validates
    /// it) is on: the listeners then offer the FAPI cipher suites only.
    /// </summary>
    internal static bool FapiProfileOn(FapiOptions fapi) => fapi.EffectiveProfile != FapiProfile.None;
}
