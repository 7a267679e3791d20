using System.Security.Cryptography.X509Certificates;
using Backchannel.IntegrationTests.Infrastructure;

namespace Backchannel.IntegrationTests.Fapi;

/// <summary>
/// One provider for a class of FAPI-CIBA tests, on the system clock (assertions, request objects and DPoP proofs are made
/// from the real time): <c>Fapi:Profile</c> Fapi2Ciba for the whole provider, the ordinary test clients exempted by their
/// own <c>fapi_profile</c> None, open dynamic registration, mutual TLS (an HTTPS alias listener asking for client
/// certificates, a trusted client CA: <see cref="MtlsCertificates"/>), four private_key_jwt clients: a poll client (ES256)
/// and a ping client (PS256) under the provider's Fapi2Ciba, and two poll clients that chose Fapi1Ciba (PS256, ES256) with
/// certificate-bound tokens; and two Fapi1Ciba tls_client_auth clients with certificate-bound tokens, a poll client named
/// by its certificate's subject DN and a ping client by a DNS SAN (both sign their requests with PS256 keys).
/// </summary>
public sealed class SharedFapiProvider : SharedNotifyingProvider
{
    internal const string Fapi2Poll = "fapi2-poll";
    internal const string Fapi2Ping = "fapi2-ping";
    internal const string Fapi1Poll = "fapi1-poll";
    internal const string Fapi1Other = "fapi1-other";
    internal const string Fapi1MtlsPoll = "fapi1-mtls-poll";
    internal const string Fapi1MtlsPing = "fapi1-mtls-ping";
    internal const string Fapi1MtlsPollDn = "CN=fapi1-mtls-poll, O=Backchannel Tests, C=GB";
    internal const string Fapi1MtlsPingDns = "fapi1-ping.example.test";

    internal static readonly TestKey Fapi2PollKey = TestKey.EllipticCurve();
    internal static readonly TestKey Fapi2PingKey = TestKey.Rsa("PS256");
    internal static readonly TestKey Fapi1PollKey = TestKey.Rsa("PS256");
    internal static readonly TestKey Fapi1OtherKey = TestKey.EllipticCurve();
    internal static readonly TestKey Fapi1MtlsPollKey = TestKey.Rsa("PS256");
    internal static readonly TestKey Fapi1MtlsPingKey = TestKey.Rsa("PS256");

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "backchannel-tests", "fapi-" + Guid.NewGuid().ToString("N"));
    private readonly int _aliasPort = FreePort.Next();

    internal MtlsCertificates Certificates { get; private set; } = null!;

    /// <summary>The mutual-TLS alias listener (<c>Mtls:BaseUrl</c>).</summary>
    internal string AliasBase => $"https://127.0.0.1:{_aliasPort}";

    /// <summary>The certificate of <see cref="Fapi1MtlsPoll"/> (its subject DN), from the trusted client CA.</summary>
    internal X509Certificate2 Fapi1MtlsPollCertificate { get; private set; } = null!;

    /// <summary>The certificate of <see cref="Fapi1MtlsPing"/> (its DNS SAN), from the trusted client CA.</summary>
    internal X509Certificate2 Fapi1MtlsPingCertificate { get; private set; } = null!;

    /// <summary>A certificate of the trusted CA that names no client: what a private_key_jwt client's tokens may be bound to, or a thief's.</summary>
    internal X509Certificate2 OtherCertificate { get; private set; } = null!;

    /// <summary>An HttpClient to the alias that presents <paramref name="certificate"/> (none: nothing).</summary>
    internal HttpClient Alias(X509Certificate2? certificate) => Certificates.HttpClient(AliasBase, certificate);

    protected override bool FakeClock => false;

    protected override Dictionary<string, string?> Settings()
    {
        var settings = new Dictionary<string, string?>(Certificates.ProviderSettings(AliasBase))
        {
            ["Backchannel:Fapi:Profile"] = "Fapi2Ciba",
            ["Backchannel:Registration:Enabled"] = "true",

            [$"Backchannel:Clients:8:client_id"] = Fapi2Poll,
            [$"Backchannel:Clients:8:token_endpoint_auth_method"] = "private_key_jwt",
            [$"Backchannel:Clients:8:backchannel_token_delivery_mode"] = "poll",

            [$"Backchannel:Clients:9:client_id"] = Fapi2Ping,
            [$"Backchannel:Clients:9:token_endpoint_auth_method"] = "private_key_jwt",
            [$"Backchannel:Clients:9:backchannel_token_delivery_mode"] = "ping",
            [$"Backchannel:Clients:9:backchannel_client_notification_endpoint"] = Receiver.Endpoint,

            [$"Backchannel:Clients:10:client_id"] = Fapi1Poll,
            [$"Backchannel:Clients:10:fapi_profile"] = "Fapi1Ciba",
            [$"Backchannel:Clients:10:token_endpoint_auth_method"] = "private_key_jwt",
            [$"Backchannel:Clients:10:backchannel_token_delivery_mode"] = "poll",
            [$"Backchannel:Clients:10:tls_client_certificate_bound_access_tokens"] = "true",

            [$"Backchannel:Clients:11:client_id"] = Fapi1Other,
            [$"Backchannel:Clients:11:fapi_profile"] = "Fapi1Ciba",
            [$"Backchannel:Clients:11:token_endpoint_auth_method"] = "private_key_jwt",
            [$"Backchannel:Clients:11:backchannel_token_delivery_mode"] = "poll",
            [$"Backchannel:Clients:11:tls_client_certificate_bound_access_tokens"] = "true",

            [$"Backchannel:Clients:12:client_id"] = Fapi1MtlsPoll,
            [$"Backchannel:Clients:12:fapi_profile"] = "Fapi1Ciba",
            [$"Backchannel:Clients:12:token_endpoint_auth_method"] = "tls_client_auth",
            [$"Backchannel:Clients:12:tls_client_auth_subject_dn"] = Fapi1MtlsPollDn,
            [$"Backchannel:Clients:12:backchannel_token_delivery_mode"] = "poll",
            [$"Backchannel:Clients:12:tls_client_certificate_bound_access_tokens"] = "true",

            [$"Backchannel:Clients:13:client_id"] = Fapi1MtlsPing,
            [$"Backchannel:Clients:13:fapi_profile"] = "Fapi1Ciba",
            [$"Backchannel:Clients:13:token_endpoint_auth_method"] = "tls_client_auth",
            [$"Backchannel:Clients:13:tls_client_auth_san_dns"] = Fapi1MtlsPingDns,
            [$"Backchannel:Clients:13:backchannel_token_delivery_mode"] = "ping",
            [$"Backchannel:Clients:13:backchannel_client_notification_endpoint"] = Receiver.Endpoint,
            [$"Backchannel:Clients:13:tls_client_certificate_bound_access_tokens"] = "true",
        };

        // The ordinary test clients (secrets, an RS256 request signer) are exempted from the provider's profile by an operator's choice.
        for (var i = 0; i <= 5; i++)
        {
            settings[$"Backchannel:Clients:{i}:fapi_profile"] = "None";
        }

        foreach (var (index, key) in new[] { (8, Fapi2PollKey), (9, Fapi2PingKey), (10, Fapi1PollKey), (11, Fapi1OtherKey), (12, Fapi1MtlsPollKey), (13, Fapi1MtlsPingKey) })
        {
            foreach (var (name, value) in key.AsConfiguration($"Backchannel:Clients:{index}"))
            {
                settings[name] = value;
            }
        }

        return settings;
    }

    public override async Task InitializeAsync()
    {
        Certificates = MtlsCertificates.Create(_directory);
        Fapi1MtlsPollCertificate = Certificates.Client(Fapi1MtlsPollDn);
        Fapi1MtlsPingCertificate = Certificates.Client("CN=fapi1 ping client", names => names.AddDnsName(Fapi1MtlsPingDns));
        OtherCertificate = Certificates.Client("CN=someone-else, O=Backchannel Tests, C=GB");
        await base.InitializeAsync(); // the receiver, then the provider
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
