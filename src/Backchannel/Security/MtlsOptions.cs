using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Options;

namespace Backchannel.Security;

/// <summary>Mutual TLS (RFC 8705): the <c>Backchannel:Mtls</c> settings.</summary>
public sealed class MtlsOptions
{
    /// <summary>Whether mutual TLS is on: client certificates are read on the alias, and the RFC 8705 methods and bound tokens are offered.</summary>
    public bool Enabled { get; set; }

    /// <summary>
    /// The base URL of the mutual-TLS endpoint aliases (<c>mtls_endpoint_aliases</c>): the issuer's other host or port,
    /// with the issuer's path if it has one. When the server terminates TLS itself, client certificates are requested only
    /// on connections that arrive on this URL's port.
    /// </summary>
    public string? BaseUrl { get; set; }

    /// <summary>A PEM file of the CA certificates (roots and intermediates) tls_client_auth certificates must chain to.</summary>
    public string? TrustedCaFile { get; set; }

    /// <summary>The request header a TLS-terminating proxy puts the client certificate in (e.g. <c>X-Client-Cert</c>).</summary>
    public string? ForwardedCertificateHeader { get; set; }

    /// <summary>The addresses or CIDR ranges of the proxies whose <see cref="ForwardedCertificateHeader"/> is believed.</summary>
    public List<string> TrustedProxies { get; set; } = [];

    /// <summary>The port of <see cref="BaseUrl"/>, on which the server itself asks for client certificates; null when there is none.</summary>
    public int? AliasPort => Enabled && Uri.TryCreate(BaseUrl, UriKind.Absolute, out var uri) ? uri.Port : null;

    /// <summary>The alias of an endpoint: <see cref="BaseUrl"/> and the endpoint's path.</summary>
    public string Alias(string path) => BaseUrl!.TrimEnd('/') + path;

    /// <summary>The trusted proxies as networks (a single address is a network of one).</summary>
    public IReadOnlyList<IPNetwork> TrustedProxyNetworks() => [.. TrustedProxies.Select(p => ParseNetwork(p)!.Value)];

    public static IPNetwork? ParseNetwork(string text)
    {
        var value = text.Trim();
        var slash = value.IndexOf('/', StringComparison.Ordinal);
        if (slash >= 0)
        {
            return Protocol.TlsClientAuthSubject.StrictAddress(value[..slash]) is not null && IPNetwork.TryParse(value, out var network)
                ? network
                : null;
        }

        return Protocol.TlsClientAuthSubject.StrictAddress(value) is { } address
            ? new IPNetwork(address, address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128)
            : null;
    }

    /// <summary>The certificates of <see cref="TrustedCaFile"/>; throws when the file cannot be read.</summary>
    public static X509Certificate2Collection LoadTrustedCas(string file)
    {
        var certificates = new X509Certificate2Collection();
        certificates.ImportFromPemFile(file);
        return certificates;
    }
}

/// <summary>Checks <c>Backchannel:Mtls</c> at start.</summary>
public sealed class MtlsOptionsValidator : IValidateOptions<MtlsOptions>
{
    private static readonly HashSet<string> ReservedHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "Authorization", "Host", "Content-Type", "Content-Length", "Cookie", "DPoP", "Transfer-Encoding", "Connection",
    };

    public ValidateOptionsResult Validate(string? name, MtlsOptions mtls)
    {
        var errors = new List<string>();
        if (mtls.Enabled)
        {
            if (string.IsNullOrWhiteSpace(mtls.BaseUrl))
            {
                errors.Add("Backchannel:Mtls:BaseUrl is required when Backchannel:Mtls:Enabled is true: the https URL of the mutual-TLS endpoint aliases (e.g. https://mtls.example.com or https://op.example.com:8443).");
            }
            else if (!Uri.TryCreate(mtls.BaseUrl, UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttps
                     || uri.Query.Length > 0 || uri.Fragment.Length > 0 || uri.UserInfo.Length > 0)
            {
                errors.Add($"Backchannel:Mtls:BaseUrl '{mtls.BaseUrl}' must be an absolute https URL without query, fragment or user information.");
            }
        }

        if (!string.IsNullOrWhiteSpace(mtls.TrustedCaFile))
        {
            try
            {
                var certificates = MtlsOptions.LoadTrustedCas(mtls.TrustedCaFile);
                if (certificates.Count == 0)
                {
                    errors.Add($"Backchannel:Mtls:TrustedCaFile '{mtls.TrustedCaFile}' holds no PEM certificate (-----BEGIN CERTIFICATE-----).");
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or CryptographicException or ArgumentException)
            {
                errors.Add($"Backchannel:Mtls:TrustedCaFile '{mtls.TrustedCaFile}' cannot be read as PEM certificates: {ex.Message}");
            }
        }

        if (mtls.ForwardedCertificateHeader is { } header)
        {
            if (header.Length == 0 || header.Any(c => c <= 0x20 || c >= 0x7F || "()<>@,;:\\\"/[]?={}".Contains(c)))
            {
                errors.Add($"Backchannel:Mtls:ForwardedCertificateHeader '{header}' is not a valid HTTP header name.");
            }
            else if (ReservedHeaders.Contains(header))
            {
                errors.Add($"Backchannel:Mtls:ForwardedCertificateHeader cannot be '{header}', a header with another meaning.");
            }

            if (mtls.TrustedProxies.Count == 0)
            {
                errors.Add("Backchannel:Mtls:ForwardedCertificateHeader needs Backchannel:Mtls:TrustedProxies: the header is believed only from those addresses.");
            }
        }
        else if (mtls.TrustedProxies.Count > 0)
        {
            errors.Add("Backchannel:Mtls:TrustedProxies is set without Backchannel:Mtls:ForwardedCertificateHeader: name the header the proxies send the certificate in.");
        }

        for (var i = 0; i < mtls.TrustedProxies.Count; i++)
        {
            if (MtlsOptions.ParseNetwork(mtls.TrustedProxies[i]) is null)
            {
                errors.Add($"Backchannel:Mtls:TrustedProxies:{i} '{mtls.TrustedProxies[i]}' is not an IP address or CIDR range (e.g. 10.0.0.5 or 10.0.0.0/24).");
            }
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
