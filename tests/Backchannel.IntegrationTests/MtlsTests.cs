using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using System.Text.Json.Nodes;
using Backchannel.IntegrationTests.Infrastructure;
using Backchannel.Protocol;
using Microsoft.IdentityModel.JsonWebTokens;

namespace Backchannel.IntegrationTests;

/// <summary>
/// A provider with mutual TLS: its plain listener (the issuer) and an HTTPS alias listener declared in
/// <c>Kestrel:Endpoints</c>, a trusted client CA, a proxy at 127.0.0.2 trusted to forward certificates, open dynamic
/// registration, and three static mTLS clients: tls_client_auth by subject DN (with certificate-bound tokens), by a DNS
/// SAN, and self_signed_tls_client_auth (with certificate-bound tokens).
/// </summary>
public sealed class SharedMtlsProvider : SharedProvider
{
    internal const string DnClient = "mtls-dn-client";
    internal const string SanClient = "mtls-san-client";
    internal const string SelfSignedClient = "mtls-self-signed-client";
    internal const string BoundSecretClient = "mtls-bound-secret-client";
    internal const string BoundSecret = "mtls-bound-secret-client-secret";
    internal const string ClientDn = "CN=mtls-dn-client, O=Backchannel Tests, C=GB";
    internal const string ForwardedHeader = "X-Client-Cert";
    internal static readonly IPAddress Proxy = IPAddress.Parse("127.0.0.2");

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "backchannel-tests", "mtls-" + Guid.NewGuid().ToString("N"));
    private readonly int _aliasPort = FreePort.Next();

    internal MtlsCertificates Certificates { get; private set; } = null!;

    /// <summary>The DN client's certificate (the trusted CA's, with the DN and SANs).</summary>
    internal X509Certificate2 DnCertificate { get; private set; } = null!;

    /// <summary>A certificate of the trusted CA naming another client (subject DN and DNS SAN both different).</summary>
    internal X509Certificate2 OtherCertificate { get; private set; } = null!;

    /// <summary>A certificate with the DN client's subject from a CA nobody trusts.</summary>
    internal X509Certificate2 UntrustedCertificate { get; private set; } = null!;

    internal X509Certificate2 SanCertificate { get; private set; } = null!;

    internal X509Certificate2 SelfSignedCertificate { get; private set; } = null!;

    internal string AliasBase => $"https://127.0.0.1:{_aliasPort}";

    protected override bool FakeClock => false;

    public override Task InitializeAsync()
    {
        Certificates = MtlsCertificates.Create(_directory);
        DnCertificate = Certificates.Client(ClientDn, names =>
        {
            names.AddDnsName("dn-client.example.test");
            names.AddEmailAddress("ops@dn-client.example.test");
        });
        OtherCertificate = Certificates.Client("CN=someone-else, O=Backchannel Tests, C=GB", names => names.AddDnsName("someone-else.example.test"));
        UntrustedCertificate = Certificates.Client(ClientDn, issuer: Certificates.UntrustedCa);
        SanCertificate = Certificates.Client("CN=whatever the CA put here", names =>
        {
            names.AddDnsName("rp.example.test");
            names.AddUri(new Uri("https://rp.example.test/dynamic"));
        });
        return base.InitializeAsync();
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

    protected override Dictionary<string, string?> Settings()
    {
        var (selfSigned, jwk) = MtlsCertificates.SelfSigned("CN=self-signed client");
        SelfSignedCertificate = selfSigned;
        var settings = new Dictionary<string, string?>(Certificates.ProviderSettings(AliasBase))
        {
            ["Backchannel:Mtls:ForwardedCertificateHeader"] = ForwardedHeader,
            ["Backchannel:Mtls:TrustedProxies:0"] = Proxy.ToString(),
            ["Backchannel:Registration:Enabled"] = "true",
            ["Backchannel:Clients:20:client_id"] = DnClient,
            ["Backchannel:Clients:20:token_endpoint_auth_method"] = "tls_client_auth",
            ["Backchannel:Clients:20:tls_client_auth_subject_dn"] = ClientDn,
            ["Backchannel:Clients:20:backchannel_token_delivery_mode"] = "poll",
            ["Backchannel:Clients:20:tls_client_certificate_bound_access_tokens"] = "true",
            ["Backchannel:Clients:21:client_id"] = SanClient,
            ["Backchannel:Clients:21:token_endpoint_auth_method"] = "tls_client_auth",
            ["Backchannel:Clients:21:tls_client_auth_san_dns"] = "rp.example.test",
            ["Backchannel:Clients:21:backchannel_token_delivery_mode"] = "poll",
            ["Backchannel:Clients:22:client_id"] = SelfSignedClient,
            ["Backchannel:Clients:22:token_endpoint_auth_method"] = "self_signed_tls_client_auth",
            ["Backchannel:Clients:22:backchannel_token_delivery_mode"] = "poll",
            ["Backchannel:Clients:22:tls_client_certificate_bound_access_tokens"] = "true",
            ["Backchannel:Clients:23:client_id"] = BoundSecretClient,
            ["Backchannel:Clients:23:client_secret"] = BoundSecret,
            ["Backchannel:Clients:23:backchannel_token_delivery_mode"] = "poll",
            ["Backchannel:Clients:23:tls_client_certificate_bound_access_tokens"] = "true",
        };
        foreach (var (member, value) in jwk)
        {
            settings["Backchannel:Clients:22:jwks:keys:0:" + member] = value;
        }

        return settings;
    }
}

/// <summary>
/// Mutual TLS (RFC 8705) over real TLS handshakes on loopback: tls_client_auth by subject DN and by SAN and
/// self_signed_tls_client_auth, configured and registered; certificate-bound tokens at /userinfo and /introspect (the
/// conformance suite's holder-of-key check); refused certificates; certificates forwarded by a trusted proxy.
/// </summary>
public class MtlsTests(SharedMtlsProvider shared) : IClassFixture<SharedMtlsProvider>
{
    private TestProvider Provider => shared.Provider;

    private HttpClient Alias(X509Certificate2? certificate) => shared.Certificates.HttpClient(shared.AliasBase, certificate);

    private static async Task<(HttpStatusCode Status, JsonElement Body)> PostAsync(HttpClient http, string path, Dictionary<string, string> form,
        Action<HttpRequestMessage>? configure = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new FormUrlEncodedContent(form) };
        configure?.Invoke(request);
        using var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone());
    }

    private static Task<(HttpStatusCode Status, JsonElement Body)> AuthorizeAsync(HttpClient http, string clientId, string bindingMessage,
        Action<HttpRequestMessage>? configure = null) =>
        PostAsync(http, "/bc-authorize", new()
        {
            ["client_id"] = clientId,
            ["scope"] = "openid profile",
            ["login_hint"] = "alice",
            ["binding_message"] = bindingMessage,
        }, configure);

    private static string NewBindingMessage() => "mtls " + Guid.NewGuid().ToString("N")[..8];

    /// <summary>A whole poll flow of <paramref name="clientId"/> over <paramref name="http"/>: request, approval, tokens.</summary>
    private async Task<JsonElement> FlowAsync(HttpClient http, string clientId)
    {
        var bindingMessage = NewBindingMessage();
        var (status, authorization) = await AuthorizeAsync(http, clientId, bindingMessage);
        Assert.True(status == HttpStatusCode.OK, authorization.ToString());
        using var approval = await Provider.Device.ApproveAsync(await Provider.Device.ForAsync(bindingMessage));
        Assert.Equal(HttpStatusCode.NoContent, approval.StatusCode);
        var (tokenStatus, tokens) = await PostAsync(http, "/token", new()
        {
            ["grant_type"] = GrantTypes.Ciba,
            ["auth_req_id"] = authorization.GetProperty("auth_req_id").GetString()!,
            ["client_id"] = clientId,
        });
        Assert.True(tokenStatus == HttpStatusCode.OK, tokens.ToString());
        return tokens;
    }

    private static string? BoundThumbprint(string accessToken) =>
        new JsonWebToken(accessToken).TryGetPayloadValue<JsonElement>("cnf", out var cnf) && cnf.TryGetProperty("x5t#S256", out var x5t)
            ? x5t.GetString()
            : null;

    private static async Task<(HttpStatusCode Status, string Body, string? Challenge)> UserInfoAsync(HttpClient http, string accessToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/userinfo");
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", accessToken);
        using var response = await http.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(), response.Headers.WwwAuthenticate.ToString());
    }

    private static void AssertInvalidClient((HttpStatusCode Status, JsonElement Body) answer)
    {
        Assert.Equal(HttpStatusCode.Unauthorized, answer.Status);
        Assert.Equal("invalid_client", answer.Body.GetProperty("error").GetString());
    }

    [Fact]
    public async Task Discovery_lists_the_aliases_the_certificate_methods_and_bound_tokens()
    {
        using var document = JsonDocument.Parse(await Provider.Http.GetStringAsync("/.well-known/openid-configuration"));
        var root = document.RootElement;

        Assert.True(root.GetProperty("tls_client_certificate_bound_access_tokens").GetBoolean());
        var aliases = root.GetProperty("mtls_endpoint_aliases");
        Assert.Equal(shared.AliasBase + "/token", aliases.GetProperty("token_endpoint").GetString());
        Assert.Equal(shared.AliasBase + "/bc-authorize", aliases.GetProperty("backchannel_authentication_endpoint").GetString());
        Assert.Equal(shared.AliasBase + "/userinfo", aliases.GetProperty("userinfo_endpoint").GetString());
        Assert.Equal(shared.AliasBase + "/revoke", aliases.GetProperty("revocation_endpoint").GetString());
        Assert.Equal(shared.AliasBase + "/introspect", aliases.GetProperty("introspection_endpoint").GetString());
        Assert.Equal(shared.AliasBase + "/register", aliases.GetProperty("registration_endpoint").GetString());
        foreach (var member in new[] { "token_endpoint_auth_methods_supported", "revocation_endpoint_auth_methods_supported", "introspection_endpoint_auth_methods_supported" })
        {
            var methods = root.GetProperty(member).EnumerateArray().Select(m => m.GetString()).ToList();
            Assert.Contains("tls_client_auth", methods);
            Assert.Contains("self_signed_tls_client_auth", methods);
        }
    }

    [Fact]
    public async Task A_ciba_poll_flow_with_tls_client_auth_by_subject_dn_gets_a_token_bound_to_the_certificate_that_only_it_can_use()
    {
        using var client = Alias(shared.DnCertificate);
        var tokens = await FlowAsync(client, SharedMtlsProvider.DnClient);
        var accessToken = tokens.GetProperty("access_token").GetString()!;
        var thumbprint = CertificateThumbprint.Sha256(shared.DnCertificate);

        Assert.Equal("Bearer", tokens.GetProperty("token_type").GetString());
        Assert.Equal(thumbprint, BoundThumbprint(accessToken));

        // The holder of the certificate uses the token at the userinfo alias.
        var (status, body, _) = await UserInfoAsync(client, accessToken);
        Assert.True(status == HttpStatusCode.OK, body);
        Assert.Equal("alice-sub", JsonDocument.Parse(body).RootElement.GetProperty("sub").GetString());

        // Another certificate, even one the trusted CA issued, or none at all: refused (the suite's holder-of-key check).
        using var other = Alias(shared.OtherCertificate);
        var (otherStatus, otherBody, challenge) = await UserInfoAsync(other, accessToken);
        Assert.Equal(HttpStatusCode.Unauthorized, otherStatus);
        Assert.Equal("invalid_token", JsonDocument.Parse(otherBody).RootElement.GetProperty("error").GetString());
        Assert.StartsWith("Bearer error=\"invalid_token\"", challenge, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, (await UserInfoAsync(Alias(null), accessToken)).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await UserInfoAsync(Provider.Http, accessToken)).Status);

        // Introspection tells a resource server which certificate the token is bound to.
        var (introspected, introspection) = await PostAsync(client, "/introspect", new() { ["token"] = accessToken, ["client_id"] = SharedMtlsProvider.DnClient });
        Assert.Equal(HttpStatusCode.OK, introspected);
        Assert.True(introspection.GetProperty("active").GetBoolean());
        Assert.Equal(thumbprint, introspection.GetProperty("cnf").GetProperty("x5t#S256").GetString());

        // A refresh over the same certificate gives a token bound to it again.
        var (refreshed, next) = await PostAsync(client, "/token", new()
        {
            ["grant_type"] = "refresh_token",
            ["refresh_token"] = tokens.GetProperty("refresh_token").GetString()!,
            ["client_id"] = SharedMtlsProvider.DnClient,
        });
        Assert.True(refreshed == HttpStatusCode.OK, next.ToString());
        Assert.Equal(thumbprint, BoundThumbprint(next.GetProperty("access_token").GetString()!));
    }

    [Fact]
    public async Task Tls_client_auth_by_a_dns_san_authenticates_whatever_the_subject()
    {
        using var client = Alias(shared.SanCertificate);
        var tokens = await FlowAsync(client, SharedMtlsProvider.SanClient);

        // This client did not register tls_client_certificate_bound_access_tokens: a bearer token.
        Assert.Null(BoundThumbprint(tokens.GetProperty("access_token").GetString()!));
        AssertInvalidClient(await AuthorizeAsync(Alias(shared.DnCertificate), SharedMtlsProvider.SanClient, NewBindingMessage()));
    }

    [Fact]
    public async Task Self_signed_tls_client_auth_accepts_the_certificate_of_the_registered_key_only()
    {
        using var client = Alias(shared.SelfSignedCertificate);
        var tokens = await FlowAsync(client, SharedMtlsProvider.SelfSignedClient);

        Assert.Equal(CertificateThumbprint.Sha256(shared.SelfSignedCertificate), BoundThumbprint(tokens.GetProperty("access_token").GetString()!));
        var (stranger, _) = MtlsCertificates.SelfSigned("CN=self-signed client");
        AssertInvalidClient(await AuthorizeAsync(Alias(stranger), SharedMtlsProvider.SelfSignedClient, NewBindingMessage()));
    }

    [Fact]
    public async Task Wrong_untrusted_or_missing_certificates_are_invalid_client()
    {
        // The right subject from a CA nobody trusts; a trusted certificate of another subject; no certificate; the plain listener.
        AssertInvalidClient(await AuthorizeAsync(Alias(shared.UntrustedCertificate), SharedMtlsProvider.DnClient, NewBindingMessage()));
        AssertInvalidClient(await AuthorizeAsync(Alias(shared.OtherCertificate), SharedMtlsProvider.DnClient, NewBindingMessage()));
        AssertInvalidClient(await AuthorizeAsync(Alias(null), SharedMtlsProvider.DnClient, NewBindingMessage()));
        AssertInvalidClient(await AuthorizeAsync(Provider.Http, SharedMtlsProvider.DnClient, NewBindingMessage()));

        // A certificate does not authenticate a client of another method.
        AssertInvalidClient(await AuthorizeAsync(Alias(shared.DnCertificate), TestClients.Poll, NewBindingMessage()));
    }

    [Fact]
    public async Task Clients_registered_dynamically_authenticate_with_tls_client_auth_by_uri_san_and_with_self_signed_certificates()
    {
        var (registered, body) = await RegistrationRequests.RegisterAsync(Provider.Http, new JsonObject
        {
            ["token_endpoint_auth_method"] = "tls_client_auth",
            ["tls_client_auth_san_uri"] = "https://rp.example.test/dynamic",
            ["backchannel_token_delivery_mode"] = "poll",
            ["tls_client_certificate_bound_access_tokens"] = true,
        }, null);
        Assert.True(registered.StatusCode == HttpStatusCode.Created, body.ToString());
        Assert.False(body.TryGetProperty("client_secret", out _));
        Assert.Equal("https://rp.example.test/dynamic", body.GetProperty("tls_client_auth_san_uri").GetString());
        var tlsClient = body.GetProperty("client_id").GetString()!;

        using var client = Alias(shared.SanCertificate);
        var tokens = await FlowAsync(client, tlsClient);
        Assert.Equal(CertificateThumbprint.Sha256(shared.SanCertificate), BoundThumbprint(tokens.GetProperty("access_token").GetString()!));
        AssertInvalidClient(await AuthorizeAsync(Alias(shared.DnCertificate), tlsClient, NewBindingMessage()));

        var (selfSigned, jwk) = MtlsCertificates.SelfSigned("CN=dynamic self-signed");
        var (registeredSelf, selfBody) = await RegistrationRequests.RegisterAsync(Provider.Http, new JsonObject
        {
            ["token_endpoint_auth_method"] = "self_signed_tls_client_auth",
            ["jwks"] = new JsonObject { ["keys"] = new JsonArray(JsonSerializer.SerializeToNode(jwk)) },
            ["backchannel_token_delivery_mode"] = "poll",
        }, null);
        Assert.True(registeredSelf.StatusCode == HttpStatusCode.Created, selfBody.ToString());
        var selfClient = selfBody.GetProperty("client_id").GetString()!;

        var (authorized, _) = await AuthorizeAsync(Alias(selfSigned), selfClient, NewBindingMessage());
        Assert.Equal(HttpStatusCode.OK, authorized);
        AssertInvalidClient(await AuthorizeAsync(Alias(shared.SelfSignedCertificate), selfClient, NewBindingMessage()));
    }

    [Fact]
    public async Task Registration_refuses_a_tls_client_auth_client_without_exactly_one_subject()
    {
        var (response, body) = await RegistrationRequests.RegisterAsync(Provider.Http, new JsonObject
        {
            ["token_endpoint_auth_method"] = "tls_client_auth",
            ["tls_client_auth_san_dns"] = "rp.example.test",
            ["tls_client_auth_san_ip"] = "192.0.2.1",
            ["backchannel_token_delivery_mode"] = "poll",
        }, null);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("invalid_client_metadata", body.GetProperty("error").GetString());
        Assert.Contains("this client has tls_client_auth_san_dns, tls_client_auth_san_ip", body.GetProperty("error_description").GetString());
    }

    [Fact]
    public async Task A_client_with_certificate_bound_tokens_must_ask_for_them_over_mutual_tls()
    {
        var basic = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{SharedMtlsProvider.BoundSecretClient}:{SharedMtlsProvider.BoundSecret}"));
        void Basic(HttpRequestMessage request) => request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Basic", basic);
        var bindingMessage = NewBindingMessage();
        var (status, authorization) = await AuthorizeAsync(Provider.Http, SharedMtlsProvider.BoundSecretClient, bindingMessage, Basic);
        Assert.Equal(HttpStatusCode.OK, status);
        using var approval = await Provider.Device.ApproveAsync(await Provider.Device.ForAsync(bindingMessage));
        var form = new Dictionary<string, string> { ["grant_type"] = GrantTypes.Ciba, ["auth_req_id"] = authorization.GetProperty("auth_req_id").GetString()! };

        var (plain, refused) = await PostAsync(Provider.Http, "/token", form, Basic);
        Assert.Equal(HttpStatusCode.BadRequest, plain);
        Assert.Equal("invalid_request", refused.GetProperty("error").GetString());
        Assert.Contains("tls_client_certificate_bound_access_tokens", refused.GetProperty("error_description").GetString());

        // Authenticated by its secret, bound to the certificate of its connection.
        var (bound, tokens) = await PostAsync(Alias(shared.OtherCertificate), "/token", form, Basic);
        Assert.True(bound == HttpStatusCode.OK, tokens.ToString());
        Assert.Equal(CertificateThumbprint.Sha256(shared.OtherCertificate), BoundThumbprint(tokens.GetProperty("access_token").GetString()!));
    }

    [Fact]
    public async Task A_dpop_proof_at_an_alias_names_the_alias_as_its_htu()
    {
        var basic = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{TestClients.Poll}:{TestClients.PollSecret}"));
        var key = new DpopKey();
        using var client = Alias(shared.OtherCertificate);
        var bindingMessage = NewBindingMessage();
        var (status, authorization) = await AuthorizeAsync(client, TestClients.Poll, bindingMessage,
            request => request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Basic", basic));
        Assert.Equal(HttpStatusCode.OK, status);
        using var approval = await Provider.Device.ApproveAsync(await Provider.Device.ForAsync(bindingMessage));
        var form = new Dictionary<string, string> { ["grant_type"] = GrantTypes.Ciba, ["auth_req_id"] = authorization.GetProperty("auth_req_id").GetString()! };
        Action<HttpRequestMessage> Send(string htu) => request =>
        {
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Basic", basic);
            request.Headers.Add("DPoP", key.Proof("POST", htu, DateTimeOffset.UtcNow));
        };

        // The issuer's token endpoint is not where this request went.
        var (refused, error) = await PostAsync(client, "/token", form, Send(Provider.TokenEndpoint));
        Assert.Equal(HttpStatusCode.BadRequest, refused);
        Assert.Equal("invalid_dpop_proof", error.GetProperty("error").GetString());

        var (issued, tokens) = await PostAsync(client, "/token", form, Send(shared.AliasBase + "/token"));
        Assert.True(issued == HttpStatusCode.OK, tokens.ToString());
        Assert.Equal("DPoP", tokens.GetProperty("token_type").GetString());
    }

    public static TheoryData<string, Func<X509Certificate2, string>> ProxyForms() => new()
    {
        { "nginx $ssl_client_escaped_cert", certificate => Uri.EscapeDataString(certificate.ExportCertificatePem()) },
        { "HAProxy %[ssl_c_der,base64]", certificate => Convert.ToBase64String(certificate.RawData) },
    };

    [Theory]
    [MemberData(nameof(ProxyForms))]
    public async Task A_certificate_forwarded_by_a_trusted_proxy_authenticates_and_from_anywhere_else_is_ignored(string form, Func<X509Certificate2, string> encode)
    {
        var header = encode(shared.DnCertificate);
        void Forward(HttpRequestMessage request) => request.Headers.Add(SharedMtlsProvider.ForwardedHeader, header);

        // The proxy (127.0.0.2) terminated TLS and calls the plain listener with the header.
        using var proxy = shared.Certificates.HttpClient(Provider.Issuer, null, SharedMtlsProvider.Proxy);
        var (status, body) = await AuthorizeAsync(proxy, SharedMtlsProvider.DnClient, NewBindingMessage(), Forward);
        Assert.True(status == HttpStatusCode.OK, $"{form}: {body}");

        // The same header from 127.0.0.1, not a trusted proxy: ignored, so the client has no certificate.
        AssertInvalidClient(await AuthorizeAsync(Provider.Http, SharedMtlsProvider.DnClient, NewBindingMessage(), Forward));
    }
}
