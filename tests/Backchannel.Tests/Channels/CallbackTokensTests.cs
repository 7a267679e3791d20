using System.Security.Cryptography;
using Backchannel.Abstractions;
using Backchannel.Channels.Http;
using Backchannel.Domain;
using Backchannel.Keys;
using Backchannel.Protocol;
using Backchannel.Tests.Keys;
using Backchannel.Tests.Support;
using Microsoft.Extensions.Time.Testing;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Backchannel.Tests.Channels;

public sealed class CallbackTokensTests : IAsyncLifetime
{
    private const string CallbackUrl = TestServices.Issuer + EndpointPaths.DeviceCallback;
    private static readonly CancellationToken None = CancellationToken.None;

    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private TestServices _services = null!;

    private CallbackTokens Tokens => _services.Get<CallbackTokens>();

    public async Task InitializeAsync() => _services = await TestServices.StartAsync(time: _time);

    public async Task DisposeAsync() => await _services.DisposeAsync();

    [Theory]
    [InlineData(DeliveryModes.Poll)]
    [InlineData(DeliveryModes.Ping)]
    [InlineData(DeliveryModes.Push)]
    public async Task An_issued_token_validates_with_its_transaction_id_and_delivery_mode(string mode)
    {
        var request = Request(mode);

        var token = Tokens.Issue(request);

        var result = await Tokens.ValidateAsync(token, None);
        Assert.Equal(request.Id, result.TransactionId);
        Assert.False(result.Expired);
        Assert.Equal(mode, result.DeliveryMode);
    }

    [Fact]
    public async Task An_issued_token_is_an_es256_jwt_naming_the_request_and_the_callback_url_and_no_auth_req_id()
    {
        var request = Request(DeliveryModes.Ping);

        var token = Tokens.Issue(request);

        Assert.Equal(CallbackUrl, Tokens.CallbackUrl);
        var result = await new JsonWebTokenHandler().ValidateTokenAsync(token, new TokenValidationParameters
        {
            ValidIssuer = TestServices.Issuer,
            ValidAudience = CallbackUrl,
            IssuerSigningKeys = _services.Get<KeyManager>().Current.CallbackVerificationKeys,
            ValidAlgorithms = [SigningAlgorithms.ES256],
            LifetimeValidator = (_, expires, _, _) => expires > _time.GetUtcNow().UtcDateTime,
        });
        Assert.True(result.IsValid, result.Exception?.Message);
        var jwt = (JsonWebToken)result.SecurityToken;
        Assert.Equal(request.Id, jwt.Subject);
        Assert.Equal(request.ExpiresAt.ToUnixTimeSeconds(), new DateTimeOffset(jwt.ValidTo, TimeSpan.Zero).ToUnixTimeSeconds());
        Assert.False(string.IsNullOrEmpty(jwt.Id));
        Assert.Equal(_services.Get<KeyManager>().Current.CallbackSigningKey.KeyId, jwt.Kid);
        Assert.DoesNotContain("auth_req_id", Base64UrlEncoder.Decode(token.Split('.')[1]), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_token_issued_by_another_node_validates_through_its_signature()
    {
        var request = Request(DeliveryModes.Push);
        var otherNode = KeyManagerTests.NewNode(_services);
        await otherNode.RefreshAsync(None);
        var token = new CallbackTokens(otherNode, _services.Get<ProviderUrls>(), _time).Issue(request);

        var result = await Tokens.ValidateAsync(token, None);

        Assert.Equal(request.Id, result.TransactionId);
        Assert.False(result.Expired);
        // This node did not issue it: it does not know the request's mode.
        Assert.Null(result.DeliveryMode);
    }

    [Fact]
    public async Task A_token_signed_with_a_callback_key_this_node_has_not_loaded_validates_after_the_reload()
    {
        // The other node rotated its keys twice: its callback key was created after this node read the store.
        var request = Request(DeliveryModes.Poll, TimeSpan.FromDays(30));
        var otherNode = KeyManagerTests.NewNode(_services);
        _time.Advance(TimeSpan.FromDays(90) + TimeSpan.FromHours(1));
        await otherNode.RefreshAsync(None);
        _time.Advance(TimeSpan.FromDays(90));
        await otherNode.RefreshAsync(None);
        Assert.False(_services.Get<KeyManager>().Current.Publishes(otherNode.Current.CallbackSigningKey.KeyId));
        request = request with { ExpiresAt = _time.GetUtcNow().AddMinutes(5) };
        var token = new CallbackTokens(otherNode, _services.Get<ProviderUrls>(), _time).Issue(request);

        var result = await Tokens.ValidateAsync(token, None);

        Assert.Equal(request.Id, result.TransactionId);
        Assert.False(result.Expired);
    }

    [Fact]
    public async Task An_expired_token_reports_expired_with_its_transaction_id()
    {
        var request = Request(DeliveryModes.Ping, TimeSpan.FromMinutes(2));
        var token = Tokens.Issue(request);
        var otherNode = KeyManagerTests.NewNode(_services);
        await otherNode.RefreshAsync(None);
        var elsewhere = new CallbackTokens(otherNode, _services.Get<ProviderUrls>(), _time);

        _time.Advance(TimeSpan.FromMinutes(2) + TimeSpan.FromSeconds(1));

        var result = await Tokens.ValidateAsync(token, None);
        Assert.Equal(request.Id, result.TransactionId);
        Assert.True(result.Expired);
        // Through the signature (another node) as well.
        var verified = await elsewhere.ValidateAsync(token, None);
        Assert.Equal(request.Id, verified.TransactionId);
        Assert.True(verified.Expired);
    }

    [Fact]
    public async Task A_used_token_is_checked_through_its_signature_afterwards()
    {
        var request = Request(DeliveryModes.Ping);
        var token = Tokens.Issue(request);

        Tokens.Forget(token);

        var result = await Tokens.ValidateAsync(token, None);
        Assert.Equal(request.Id, result.TransactionId);
        Assert.False(result.Expired);
        Assert.Null(result.DeliveryMode);
    }

    [Fact]
    public async Task Expired_tokens_are_forgotten_but_still_recognised_as_expired()
    {
        var shortLived = Request(DeliveryModes.Ping, TimeSpan.FromMinutes(1));
        var longLived = Request(DeliveryModes.Push, TimeSpan.FromMinutes(10));
        var shortToken = Tokens.Issue(shortLived);
        var longToken = Tokens.Issue(longLived);
        _time.Advance(TimeSpan.FromMinutes(2));

        Tokens.ForgetExpired(_time.GetUtcNow());

        Assert.Equal(DeliveryModes.Push, (await Tokens.ValidateAsync(longToken, None)).DeliveryMode);
        var expired = await Tokens.ValidateAsync(shortToken, None);
        Assert.Equal(shortLived.Id, expired.TransactionId);
        Assert.True(expired.Expired);
        Assert.Null(expired.DeliveryMode);
    }

    [Fact]
    public async Task A_token_signed_with_a_key_not_the_providers_names_no_transaction()
    {
        using var forger = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var kid = _services.Get<KeyManager>().Current.CallbackSigningKey.KeyId;

        await AssertRefusedAsync(Forge(new ECDsaSecurityKey(forger) { KeyId = kid }));
        _time.Advance(KeyManager.MinReloadInterval);
        await AssertRefusedAsync(Forge(new ECDsaSecurityKey(forger) { KeyId = "unknown-key" }));
    }

    [Fact]
    public async Task A_token_of_the_providers_key_for_another_audience_or_issuer_names_no_transaction()
    {
        var key = ProviderCallbackKey();

        Assert.Equal("request-1", (await Tokens.ValidateAsync(Forge(key), None)).TransactionId);
        await AssertRefusedAsync(Forge(key, audience: "https://device.example.com/callback"));
        await AssertRefusedAsync(Forge(key, audience: TestServices.Issuer));
        await AssertRefusedAsync(Forge(key, issuer: "https://other-op.example.com"));
        await AssertRefusedAsync(Forge(key, issuer: null));
        // An expired one of another audience is not "expired": it is not a callback token at all.
        await AssertRefusedAsync(Forge(key, audience: "https://device.example.com/callback", expires: _time.GetUtcNow().AddMinutes(-1)));
    }

    [Fact]
    public async Task A_token_signed_with_a_token_key_or_with_another_algorithm_names_no_transaction()
    {
        var ring = _services.Get<KeyManager>().Current;
        var tokenKey = new ECDsaSecurityKey((ECDsa)ring.TokenSigningKey.Key) { KeyId = ring.TokenSigningKey.KeyId };

        await AssertRefusedAsync(Forge(tokenKey));
        await AssertRefusedAsync(Forge(new SymmetricSecurityKey(RandomNumberGenerator.GetBytes(32)), SecurityAlgorithms.HmacSha256));
    }

    [Fact]
    public async Task A_tampered_or_unsigned_token_names_no_transaction()
    {
        var token = Tokens.Issue(Request(DeliveryModes.Poll));
        var parts = token.Split('.');
        var payload = Base64UrlEncoder.Decode(parts[1]);

        var otherSubject = parts[0] + "." + Base64UrlEncoder.Encode(payload.Replace("\"sub\":\"", "\"sub\":\"x", StringComparison.Ordinal)) + "." + parts[2];
        var unsigned = Base64UrlEncoder.Encode("""{"alg":"none","typ":"JWT"}""") + "." + parts[1] + ".";

        await AssertRefusedAsync(otherSubject);
        await AssertRefusedAsync(unsigned);
        await AssertRefusedAsync(parts[0] + "." + parts[1] + ".");
        await AssertRefusedAsync("not-a-token");
        await AssertRefusedAsync("");
    }

    private AuthenticationRequest Request(string mode, TimeSpan? lifetime = null)
    {
        var now = _time.GetUtcNow();
        return new AuthenticationRequest
        {
            Id = RandomIdentifiers.NewSortableId(now),
            AuthReqIdHash = SecretHash.Compute(RandomIdentifiers.NewAuthReqId()),
            ClientId = "client-a",
            Subject = "alice",
            Scope = "openid",
            DeliveryMode = mode,
            Channel = "http",
            CreatedAt = now,
            ExpiresAt = now + (lifetime ?? TimeSpan.FromMinutes(5)),
            IntervalSeconds = 5,
        };
    }

    private ECDsaSecurityKey ProviderCallbackKey()
    {
        var key = _services.Get<KeyManager>().Current.CallbackSigningKey;
        return new ECDsaSecurityKey((ECDsa)key.Key) { KeyId = key.KeyId };
    }

    private string Forge(SecurityKey key, string algorithm = SecurityAlgorithms.EcdsaSha256, string? issuer = TestServices.Issuer,
        string audience = CallbackUrl, DateTimeOffset? expires = null)
    {
        var now = _time.GetUtcNow();
        var exp = expires ?? now.AddMinutes(5);
        return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = audience,
            Claims = new Dictionary<string, object> { ["sub"] = "request-1", ["jti"] = Guid.NewGuid().ToString("N") },
            IssuedAt = exp.AddMinutes(-10).UtcDateTime,
            Expires = exp.UtcDateTime,
            SigningCredentials = new SigningCredentials(key, algorithm),
        });
    }

    private async Task AssertRefusedAsync(string token)
    {
        var result = await Tokens.ValidateAsync(token, None);
        Assert.Null(result.TransactionId);
        Assert.False(result.Expired);
    }
}
