using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Backchannel.Protocol;
using Backchannel.Security;
using Backchannel.Tests.Support;
using Microsoft.Extensions.Time.Testing;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Backchannel.Tests.Security;

/// <summary>
/// <see cref="ClientAuthenticator"/> with mutual TLS on (the services composed as a host composes them): certificates of
/// tls_client_auth and self_signed_tls_client_auth clients, at the provider's clock, and client assertions addressed to
/// the mutual-TLS endpoint aliases.
/// </summary>
public sealed class CertificateClientAuthenticationTests : IAsyncLifetime
{
    private const string Alias = "https://mtls.op.example.com";
    private const string TlsClient = "tls-client";
    private const string SelfSignedClient = "self-signed-client";
    private const string JwtClient = "jwt-client";

    private static readonly X509Certificate2 Root = TestCertificateFactory.Authority("CN=Authenticator test CA");
    private static readonly X509Certificate2 SelfSigned = TestCertificateFactory.SelfSigned("CN=self", rsa: true);
    private static readonly ECDsa JwtKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private readonly string _caFile = Path.Combine(Path.GetTempPath(), $"authenticator-ca-{Guid.NewGuid():N}.pem");
    private TestServices _services = null!;

    private ClientAuthenticator Authenticator => _services.Get<ClientAuthenticator>();

    public async Task InitializeAsync()
    {
        await File.WriteAllTextAsync(_caFile, Root.ExportCertificatePem());
        var rsa = SelfSigned.GetRSAPublicKey()!.ExportParameters(false);
        var ecPublic = JsonWebKeyConverter.ConvertFromECDsaSecurityKey(new ECDsaSecurityKey(ECDsa.Create(JwtKey.ExportParameters(false))) { KeyId = "k1" });
        var settings = new Dictionary<string, string?>
        {
            ["Mtls:Enabled"] = "true",
            ["Mtls:BaseUrl"] = Alias,
            ["Mtls:TrustedCaFile"] = _caFile,
            ["Clients:0:client_id"] = TlsClient,
            ["Clients:0:token_endpoint_auth_method"] = "tls_client_auth",
            ["Clients:0:tls_client_auth_san_email"] = "ops@client.example.com",
            ["Clients:0:backchannel_token_delivery_mode"] = "poll",
            ["Clients:1:client_id"] = SelfSignedClient,
            ["Clients:1:token_endpoint_auth_method"] = "self_signed_tls_client_auth",
            ["Clients:1:backchannel_token_delivery_mode"] = "poll",
            ["Clients:1:jwks:keys:0:kty"] = "RSA",
            ["Clients:1:jwks:keys:0:n"] = Base64UrlEncoder.Encode(rsa.Modulus),
            ["Clients:1:jwks:keys:0:e"] = Base64UrlEncoder.Encode(rsa.Exponent),
        };
        foreach (var (key, value) in TestSettings.JwtClient(2, JwtClient, ecPublic))
        {
            settings[key] = value;
        }

        _services = await TestServices.StartAsync(settings, _time);
    }

    public async Task DisposeAsync()
    {
        await _services.DisposeAsync();
        File.Delete(_caFile);
    }

    private static ClientCredentials ByCertificate(string clientId, X509Certificate2 certificate) =>
        new() { ClientId = clientId, Certificate = certificate };

    private async Task<string> RefusedAsync(ClientCredentials credentials)
    {
        var result = await Authenticator.AuthenticateAsync(credentials, CancellationToken.None);
        Assert.False(result.Succeeded);
        Assert.Equal(ErrorCodes.InvalidClient, result.Error.Error);
        Assert.Equal(401, result.Error.StatusCode);
        return result.Error.Description;
    }

    [Fact]
    public async Task A_tls_client_auth_certificate_authenticates_while_it_is_valid_at_the_providers_time()
    {
        var certificate = TestCertificateFactory.Issue(Root, "CN=anything", names => names.AddEmailAddress("ops@client.example.com"));

        var result = await Authenticator.AuthenticateAsync(ByCertificate(TlsClient, certificate), CancellationToken.None);
        Assert.True(result.Succeeded, result.Error?.Description);
        Assert.Equal(TlsClient, result.Value.ClientId);

        _time.Advance(TimeSpan.FromDays(11));
        Assert.Contains("NotTimeValid", await RefusedAsync(ByCertificate(TlsClient, certificate)));
    }

    [Fact]
    public async Task A_trusted_certificate_of_another_name_is_refused_with_the_reason()
    {
        var certificate = TestCertificateFactory.Issue(Root, "CN=other", names => names.AddEmailAddress("ops@other.example.com"));

        Assert.Equal("the client certificate does not match tls_client_auth_san_email 'ops@client.example.com' (its subject is 'CN=other')",
            await RefusedAsync(ByCertificate(TlsClient, certificate)));
    }

    [Fact]
    public async Task A_self_signed_certificate_of_the_registered_key_authenticates_and_another_does_not()
    {
        var result = await Authenticator.AuthenticateAsync(ByCertificate(SelfSignedClient, SelfSigned), CancellationToken.None);
        Assert.True(result.Succeeded, result.Error?.Description);

        Assert.StartsWith("the client certificate's key is not among the client's registered keys",
            await RefusedAsync(ByCertificate(SelfSignedClient, TestCertificateFactory.SelfSigned("CN=self", rsa: true))));
    }

    [Fact]
    public async Task A_certificate_alone_does_not_authenticate_a_client_of_another_method_or_an_unknown_client()
    {
        Assert.Contains("registered for private_key_jwt", await RefusedAsync(ByCertificate(JwtClient, SelfSigned)));
        Assert.Equal("Unknown client.", await RefusedAsync(ByCertificate("nobody", SelfSigned)));
    }

    [Theory]
    [InlineData(Alias + "/token", true)]
    [InlineData(Alias + "/bc-authorize", true)]
    [InlineData(Alias + "/introspect", true)]
    [InlineData(TestServices.Issuer + "/token", true)]
    [InlineData("https://elsewhere.example.com/token", false)]
    public async Task A_client_assertion_may_name_an_endpoint_alias_as_its_audience(string audience, bool accepted)
    {
        var assertion = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = JwtClient,
            Audience = audience,
            Claims = new Dictionary<string, object> { ["sub"] = JwtClient, ["jti"] = Guid.NewGuid().ToString("N") },
            IssuedAt = _time.GetUtcNow().UtcDateTime,
            NotBefore = _time.GetUtcNow().UtcDateTime,
            Expires = _time.GetUtcNow().AddMinutes(2).UtcDateTime,
            SigningCredentials = new SigningCredentials(new ECDsaSecurityKey(JwtKey) { KeyId = "k1" }, SecurityAlgorithms.EcdsaSha256),
        });
        var credentials = new ClientCredentials
        {
            ClientId = JwtClient,
            Assertion = assertion,
            AssertionType = ClientAuthenticationMethods.JwtBearerAssertionType,
            Method = ClientAuthenticationMethods.PrivateKeyJwt,
        };

        var result = await Authenticator.AuthenticateAsync(credentials, CancellationToken.None);

        Assert.Equal(accepted, result.Succeeded);
    }
}
