using System.Net.Security;
using System.Security.Authentication;

namespace Backchannel.Security;

/// <summary>
/// The TLS a bank expects on the HTTPS listeners: TLS 1.2 and 1.3 only; under a FAPI profile, for TLS 1.2 only the four
/// cipher suites FAPI 1.0 Advanced (8.5) names, which all have forward secrecy and AEAD (TLS 1.3's own suites stay).
/// </summary>
public static class TlsPolicy
{
    public const SslProtocols Protocols = SslProtocols.Tls12 | SslProtocols.Tls13;

    /// <summary>The TLS 1.2 cipher suites FAPI 1.0 Advanced permits.</summary>
    public static readonly IReadOnlyList<TlsCipherSuite> FapiTls12CipherSuites =
    [
        TlsCipherSuite.TLS_DHE_RSA_WITH_AES_128_GCM_SHA256,
        TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
        TlsCipherSuite.TLS_DHE_RSA_WITH_AES_256_GCM_SHA384,
        TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
    ];

    /// <summary>TLS 1.3's suites, kept beside the FAPI ones (a policy that named none would turn TLS 1.3 off).</summary>
    public static readonly IReadOnlyList<TlsCipherSuite> Tls13CipherSuites =
    [
        TlsCipherSuite.TLS_AES_128_GCM_SHA256,
        TlsCipherSuite.TLS_AES_256_GCM_SHA384,
        TlsCipherSuite.TLS_CHACHA20_POLY1305_SHA256,
    ];

    /// <summary>Whether this platform lets a server choose its cipher suites (Linux and macOS do, with OpenSSL; Windows does not).</summary>
    [System.Runtime.Versioning.UnsupportedOSPlatformGuard("windows")]
    public static bool CipherSuitesConfigurable => !OperatingSystem.IsWindows();

    /// <summary>
    /// The cipher suites of the HTTPS listeners: under a FAPI profile (<paramref name="fapi"/>) the FAPI 1.0 TLS 1.2 suites
    /// and TLS 1.3's; otherwise null, the platform's defaults (OpenSSL's, which exclude the weak ones). Null too where the
    /// platform cannot choose (Windows: configure the suites in the system's TLS policy).
    /// </summary>
    public static CipherSuitesPolicy? CipherSuites(bool fapi) =>
        fapi && CipherSuitesConfigurable ? new CipherSuitesPolicy([.. FapiTls12CipherSuites, .. Tls13CipherSuites]) : null;
}
