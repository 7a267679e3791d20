using System.Security.Cryptography;
using System.Text;
using Backchannel.Domain;
using Backchannel.Protocol;
using Backchannel.Security;
using Backchannel.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Backchannel.Tests.Security;

public sealed class ClientAuthenticatorTests : IAsyncLifetime
{
    private const string BasicClient = "basic-client";
    private const string BasicSecret = "basic-client-secret-0123456789";
    private const string PostClient = "post-client";
    private const string StrictClient = "strict-client";
    private const string StrictSecret = "strict-client-secret-0123456789";
    private const string PostSecret = "post-client-secret-0123456789";
    private const string JwtClient = "jwt-client";
    private const string RsaJwtClient = "rsa-jwt-client";
    private const int ClockSkewSeconds = 10;

    private static readonly ECDsa JwtKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private static readonly RSA RsaJwtKey = RSA.Create(2048);

    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private TestServices _services = null!;

    private ClientAuthenticator Authenticator => _services.Get<ClientAuthenticator>();

    private static SigningCredentials JwtCredentials => new(new ECDsaSecurityKey(JwtKey) { KeyId = "jwt-key-1" }, SecurityAlgorithms.EcdsaSha256);

    public async Task InitializeAsync()
    {
        var ecPublic = JsonWebKeyConverter.ConvertFromECDsaSecurityKey(
            new ECDsaSecurityKey(ECDsa.Create(JwtKey.ExportParameters(false))) { KeyId = "jwt-key-1" });
        var rsaPublic = JsonWebKeyConverter.ConvertFromRSASecurityKey(new RsaSecurityKey(RsaJwtKey.ExportParameters(false)) { KeyId = "rsa-key-1" });
        var settings = TestSettings.SecretClient(0, BasicClient, BasicSecret)
            .Concat(TestSettings.SecretClient(1, PostClient, PostSecret, method: ClientAuthenticationMethods.ClientSecretPost))
            .Concat(TestSettings.JwtClient(2, JwtClient, ecPublic))
            .Concat(TestSettings.JwtClient(3, RsaJwtClient, rsaPublic))
            .Concat(TestSettings.SecretClient(4, StrictClient, StrictSecret))
            .Append(new("Clients:4:require_token_endpoint_auth_method", "true"))
            .Append(new("ClockSkewSeconds", ClockSkewSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        _services = await TestServices.StartAsync(settings, _time);
    }

    public async Task DisposeAsync() => await _services.DisposeAsync();

    [Fact]
    public async Task Client_secret_basic_with_the_right_secret_authenticates_the_client()
    {
        var client = await AuthenticatedAsync(Secret(BasicClient, BasicSecret, ClientAuthenticationMethods.ClientSecretBasic));

        Assert.Equal(BasicClient, client.ClientId);
        Assert.Equal(ClientAuthenticationMethods.ClientSecretBasic, client.AuthenticationMethod);
    }

    [Fact]
    public async Task Client_secret_basic_read_from_an_authorization_header_authenticates_the_client()
    {
        var header = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{BasicClient}:{BasicSecret}"));
        var credentials = ClientCredentials.Read(header, RequestParameters.Empty);
        Assert.True(credentials.Succeeded);

        Assert.Equal(BasicClient, (await AuthenticatedAsync(credentials.Value!)).ClientId);
    }

    [Fact]
    public async Task Client_secret_post_with_the_right_secret_authenticates_the_client()
    {
        var client = await AuthenticatedAsync(Secret(PostClient, PostSecret, ClientAuthenticationMethods.ClientSecretPost));

        Assert.Equal(PostClient, client.ClientId);
    }

    [Theory]
    [InlineData(BasicClient, "wrong-secret", ClientAuthenticationMethods.ClientSecretBasic)]
    [InlineData(BasicClient, "", ClientAuthenticationMethods.ClientSecretBasic)]
    [InlineData(BasicClient, null, ClientAuthenticationMethods.ClientSecretBasic)]
    [InlineData(BasicClient, BasicSecret + " ", ClientAuthenticationMethods.ClientSecretBasic)]
    [InlineData(PostClient, BasicSecret, ClientAuthenticationMethods.ClientSecretPost)]
    public async Task A_wrong_secret_is_refused(string clientId, string? secret, string method)
    {
        await RefusedAsync(Secret(clientId, secret, method));
    }

    [Theory]
    [InlineData(BasicClient, BasicSecret, ClientAuthenticationMethods.ClientSecretPost)]
    [InlineData(PostClient, PostSecret, ClientAuthenticationMethods.ClientSecretBasic)]
    public async Task A_client_with_a_secret_may_send_it_either_way(string clientId, string secret, string method)
    {
        var client = await AuthenticatedAsync(Secret(clientId, secret, method));

        Assert.Equal(clientId, client.ClientId);
    }

    [Theory]
    [InlineData(StrictClient, StrictSecret, ClientAuthenticationMethods.ClientSecretPost)]
    [InlineData(JwtClient, "any-secret", ClientAuthenticationMethods.ClientSecretBasic)]
    [InlineData(JwtClient, "any-secret", ClientAuthenticationMethods.ClientSecretPost)]
    public async Task A_method_other_than_the_registered_one_is_refused(string clientId, string secret, string method)
    {
        var error = await RefusedAsync(Secret(clientId, secret, method));

        Assert.Contains(method, error.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_assertion_for_a_client_registered_for_a_secret_is_refused()
    {
        var assertion = Assertion(iss: BasicClient, sub: BasicClient);

        await RefusedAsync(Jwt(assertion, BasicClient));
        await RefusedAsync(Jwt(Assertion(iss: BasicClient, sub: BasicClient)));
    }

    [Theory]
    [InlineData(ClientAuthenticationMethods.ClientSecretBasic)]
    [InlineData(ClientAuthenticationMethods.ClientSecretPost)]
    public async Task An_unknown_client_is_refused(string method)
    {
        await RefusedAsync(Secret("no-such-client", BasicSecret, method));
    }

    [Fact]
    public async Task An_assertion_of_an_unknown_client_is_refused()
    {
        await RefusedAsync(Jwt(Assertion(iss: "no-such-client", sub: "no-such-client")));
        await RefusedAsync(Jwt(Assertion(iss: "no-such-client", sub: "no-such-client"), "no-such-client"));
    }

    [Theory]
    [InlineData(null)]
    [InlineData(BasicClient)]
    public async Task A_request_without_credentials_is_refused(string? clientId)
    {
        await RefusedAsync(new ClientCredentials { ClientId = clientId });
    }

    [Theory]
    [InlineData("")]
    [InlineData("/")]
    [InlineData(EndpointPaths.Token)]
    [InlineData(EndpointPaths.BackchannelAuthentication)]
    public async Task Private_key_jwt_accepts_the_issuer_the_token_endpoint_and_the_backchannel_endpoint_as_audience(string path)
    {
        var client = await AuthenticatedAsync(Jwt(Assertion(aud: TestServices.Issuer + path)));

        Assert.Equal(JwtClient, client.ClientId);
    }

    [Fact]
    public async Task Private_key_jwt_with_an_rsa_key_authenticates_the_client()
    {
        var credentials = new SigningCredentials(new RsaSecurityKey(RsaJwtKey) { KeyId = "rsa-key-1" }, SecurityAlgorithms.RsaSsaPssSha256);

        var client = await AuthenticatedAsync(Jwt(Assertion(iss: RsaJwtClient, sub: RsaJwtClient, key: credentials), RsaJwtClient));

        Assert.Equal(RsaJwtClient, client.ClientId);
    }

    [Fact]
    public async Task Private_key_jwt_with_a_matching_client_id_parameter_authenticates_the_client()
    {
        Assert.Equal(JwtClient, (await AuthenticatedAsync(Jwt(Assertion(), JwtClient))).ClientId);
    }

    [Theory]
    [InlineData("https://other.example.com")]
    [InlineData(TestServices.Issuer + EndpointPaths.UserInfo)]
    [InlineData(TestServices.Issuer + EndpointPaths.DeviceCallback)]
    [InlineData("https://op.example.com.evil.example/token")]
    public async Task Private_key_jwt_with_another_audience_is_refused(string audience)
    {
        var error = await RefusedAsync(Jwt(Assertion(aud: audience)));

        Assert.Contains("aud", error.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Private_key_jwt_whose_issuer_is_not_the_client_is_refused()
    {
        // The client is named by client_id, but the assertion was issued by someone else.
        Assert.Contains("iss", (await RefusedAsync(Jwt(Assertion(iss: "someone-else"), JwtClient))).Description, StringComparison.Ordinal);
        // The assertion names another (existing) client than client_id does.
        Assert.Contains("iss", (await RefusedAsync(Jwt(Assertion(iss: BasicClient), JwtClient))).Description, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("someone-else")]
    [InlineData(BasicClient)]
    [InlineData(null)]
    public async Task Private_key_jwt_whose_subject_is_not_the_client_is_refused(string? subject)
    {
        var error = await RefusedAsync(Jwt(Assertion(sub: subject)));

        Assert.Contains("sub", error.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Private_key_jwt_expired_within_the_clock_skew_is_accepted()
    {
        var now = _time.GetUtcNow();

        var client = await AuthenticatedAsync(Jwt(Assertion(iat: now.AddMinutes(-2), exp: now.AddSeconds(-(ClockSkewSeconds - 3)))));

        Assert.Equal(JwtClient, client.ClientId);
    }

    [Fact]
    public async Task Private_key_jwt_expired_beyond_the_clock_skew_is_refused()
    {
        var now = _time.GetUtcNow();

        // 30 s is within the default skew: the configured 10 s is the one that counts.
        var error = await RefusedAsync(Jwt(Assertion(iat: now.AddMinutes(-2), exp: now.AddSeconds(-(ClockSkewSeconds + 3)))));

        Assert.Contains("lifetime", error.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Private_key_jwt_becomes_refused_when_the_clock_passes_its_expiry()
    {
        var now = _time.GetUtcNow();
        var assertion = Assertion(exp: now.AddSeconds(20));
        _time.Advance(TimeSpan.FromSeconds(20 + ClockSkewSeconds + 1));

        await RefusedAsync(Jwt(assertion));
    }

    [Fact]
    public async Task Private_key_jwt_not_yet_valid_beyond_the_clock_skew_is_refused()
    {
        var now = _time.GetUtcNow();

        await RefusedAsync(Jwt(Assertion(iat: now, nbf: now.AddSeconds(ClockSkewSeconds + 5), exp: now.AddMinutes(5))));
        Assert.Equal(JwtClient, (await AuthenticatedAsync(Jwt(Assertion(iat: now, nbf: now.AddSeconds(ClockSkewSeconds - 3), exp: now.AddMinutes(5))))).ClientId);
    }

    [Fact]
    public async Task Private_key_jwt_living_longer_than_an_hour_is_refused()
    {
        var now = _time.GetUtcNow();

        Assert.Contains("lifetime", (await RefusedAsync(Jwt(Assertion(exp: now.AddMinutes(61))))).Description, StringComparison.Ordinal);
        await RefusedAsync(Jwt(Assertion(exp: now.AddDays(30))));
        Assert.Equal(JwtClient, (await AuthenticatedAsync(Jwt(Assertion(exp: now.AddMinutes(59))))).ClientId);
    }

    [Fact]
    public async Task Private_key_jwt_without_an_expiry_is_refused()
    {
        await RefusedAsync(Jwt(Assertion(withExpiry: false)));
    }

    [Fact]
    public async Task Private_key_jwt_is_accepted_once_a_replayed_jti_is_refused()
    {
        var assertion = Assertion(jti: "jti-once");

        Assert.Equal(JwtClient, (await AuthenticatedAsync(Jwt(assertion))).ClientId);
        var error = await RefusedAsync(Jwt(assertion));
        Assert.Contains("jti", error.Description, StringComparison.Ordinal);

        // Another assertion with the same jti is a replay too; a new jti is not.
        await RefusedAsync(Jwt(Assertion(jti: "jti-once", exp: _time.GetUtcNow().AddMinutes(3))));
        Assert.Equal(JwtClient, (await AuthenticatedAsync(Jwt(Assertion(jti: "jti-twice")))).ClientId);
    }

    [Fact]
    public async Task A_replayed_assertion_is_an_audit_event_naming_the_client_and_not_the_assertion()
    {
        var recorder = new RecordingLoggerProvider();
        var ecPublic = JsonWebKeyConverter.ConvertFromECDsaSecurityKey(
            new ECDsaSecurityKey(ECDsa.Create(JwtKey.ExportParameters(false))) { KeyId = "jwt-key-1" });
        await using var services = await TestServices.StartAsync(TestSettings.JwtClient(0, JwtClient, ecPublic), _time,
            configure: s => s.AddSingleton<Microsoft.Extensions.Logging.ILoggerProvider>(recorder));
        var authenticator = services.Get<ClientAuthenticator>();
        var assertion = Assertion(jti: "jti-audited");

        Assert.True((await authenticator.AuthenticateAsync(Jwt(assertion), CancellationToken.None)).Succeeded);
        Assert.False((await authenticator.AuthenticateAsync(Jwt(assertion), CancellationToken.None)).Succeeded);

        var line = Assert.Single(recorder.Lines(Backchannel.Diagnostics.AuditLog.Category));
        Assert.Equal($"security.replay_refused client_assertion client={JwtClient}", line);
    }

    [Fact]
    public async Task Concurrent_uses_of_one_assertion_authenticate_once()
    {
        var assertion = Assertion();

        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(async () => await Authenticator.AuthenticateAsync(Jwt(assertion), CancellationToken.None))));

        Assert.Single(results, r => r.Succeeded);
    }

    [Fact]
    public async Task Private_key_jwt_without_a_jti_is_refused()
    {
        var error = await RefusedAsync(Jwt(Assertion(withJti: false)));

        Assert.Contains("jti", error.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Private_key_jwt_signed_with_another_key_is_refused()
    {
        using var other = ECDsa.Create(ECCurve.NamedCurves.nistP256);

        await RefusedAsync(Jwt(Assertion(key: new SigningCredentials(new ECDsaSecurityKey(other) { KeyId = "jwt-key-1" }, SecurityAlgorithms.EcdsaSha256))));
        await RefusedAsync(Jwt(Assertion(key: new SigningCredentials(new ECDsaSecurityKey(other) { KeyId = "other" }, SecurityAlgorithms.EcdsaSha256))));
    }

    [Fact]
    public async Task Private_key_jwt_with_a_symmetric_or_no_signature_is_refused()
    {
        var hmac = new SigningCredentials(new SymmetricSecurityKey(RandomNumberGenerator.GetBytes(32)), SecurityAlgorithms.HmacSha256);
        await RefusedAsync(Jwt(Assertion(key: hmac)));

        var signed = Assertion();
        var parts = signed.Split('.');
        var none = Base64UrlEncoder.Encode("""{"alg":"none","typ":"JWT"}""") + "." + parts[1] + ".";
        await RefusedAsync(Jwt(none));
    }

    [Fact]
    public async Task Private_key_jwt_with_a_tampered_payload_is_refused()
    {
        var parts = Assertion().Split('.');
        var payload = Base64UrlEncoder.Decode(parts[1]).Replace(JwtClient, RsaJwtClient, StringComparison.Ordinal);
        var tampered = parts[0] + "." + Base64UrlEncoder.Encode(payload) + "." + parts[2];

        await RefusedAsync(Jwt(tampered));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("urn:ietf:params:oauth:client-assertion-type:saml2-bearer")]
    public async Task Private_key_jwt_with_another_assertion_type_is_refused(string? assertionType)
    {
        await RefusedAsync(Jwt(Assertion()) with { AssertionType = assertionType });
    }

    [Theory]
    [InlineData("not-a-jwt")]
    [InlineData("a.b.c")]
    [InlineData("")]
    public async Task A_malformed_assertion_is_refused(string assertion)
    {
        await RefusedAsync(Jwt(assertion, JwtClient));
    }

    private static ClientCredentials Secret(string clientId, string? secret, string method) =>
        new() { ClientId = clientId, Secret = secret, Method = method };

    private static ClientCredentials Jwt(string assertion, string? clientId = null) => new()
    {
        ClientId = clientId,
        Assertion = assertion,
        AssertionType = ClientAuthenticationMethods.JwtBearerAssertionType,
        Method = ClientAuthenticationMethods.PrivateKeyJwt,
    };

    /// <summary>A client assertion; by default a valid one of the jwt client, for the token endpoint, living two minutes.</summary>
    private string Assertion(string? iss = JwtClient, string? sub = JwtClient, string aud = TestServices.Issuer + EndpointPaths.Token,
        DateTimeOffset? iat = null, DateTimeOffset? nbf = null, DateTimeOffset? exp = null, string? jti = null, bool withJti = true,
        bool withExpiry = true, SigningCredentials? key = null)
    {
        var now = _time.GetUtcNow();
        var claims = new Dictionary<string, object>(StringComparer.Ordinal);
        if (sub is not null)
        {
            claims["sub"] = sub;
        }

        if (withJti)
        {
            claims["jti"] = jti ?? Guid.NewGuid().ToString("N");
        }

        var issuedAt = iat ?? now;
        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = iss,
            Audience = aud,
            Claims = claims,
            IssuedAt = issuedAt.UtcDateTime,
            NotBefore = nbf?.UtcDateTime,
            Expires = withExpiry ? (exp ?? now.AddMinutes(2)).UtcDateTime : null,
            SigningCredentials = key ?? JwtCredentials,
        };
        return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(descriptor);
    }

    private async Task<Client> AuthenticatedAsync(ClientCredentials credentials)
    {
        var result = await Authenticator.AuthenticateAsync(credentials, CancellationToken.None);
        Assert.True(result.Succeeded, result.Error?.ToString());
        return result.Value!;
    }

    private async Task<ProtocolError> RefusedAsync(ClientCredentials credentials)
    {
        var result = await Authenticator.AuthenticateAsync(credentials, CancellationToken.None);
        Assert.False(result.Succeeded, $"{credentials.Method} of {credentials.ClientId} was accepted");
        Assert.Equal(ErrorCodes.InvalidClient, result.Error!.Error);
        Assert.Equal(401, result.Error.StatusCode);
        return result.Error;
    }
}
