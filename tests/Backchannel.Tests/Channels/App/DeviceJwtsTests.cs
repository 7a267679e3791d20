using System.Security.Cryptography;
using System.Text.Json;
using Backchannel.Channels.App;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Backchannel.Tests.Channels.App;

/// <summary>The device JWTs' rules: key, typ, aud, a lifetime of at most five minutes, a jti.</summary>
public class DeviceJwtsTests : IDisposable
{
    private const string Audience = "https://op.example/ciba/devices/abc/requests";
    private static readonly DateTimeOffset Now = new(2030, 1, 2, 3, 4, 5, TimeSpan.Zero);
    private static readonly TimeSpan Skew = TimeSpan.FromSeconds(30);
    private static readonly JsonWebTokenHandler Handler = new() { SetDefaultTimesOnTokenCreation = false };

    private readonly ECDsa _key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly ECDsa _other = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    private string Sign(Action<Dictionary<string, object>>? change = null, string type = DeviceJwts.AccessType, ECDsa? key = null, string algorithm = "ES256")
    {
        var claims = new Dictionary<string, object>
        {
            ["aud"] = Audience,
            ["iat"] = Now.ToUnixTimeSeconds(),
            ["exp"] = Now.AddMinutes(2).ToUnixTimeSeconds(),
            ["jti"] = "jti-1",
        };
        change?.Invoke(claims);
        return Handler.CreateToken(new SecurityTokenDescriptor
        {
            Claims = claims,
            TokenType = type,
            SigningCredentials = new SigningCredentials(new ECDsaSecurityKey(key ?? _key), algorithm),
        });
    }

    private Task<Backchannel.Protocol.ProtocolResult<VerifiedDeviceJwt>> VerifyAsync(string jwt, bool requireExpiry = true, DateTimeOffset? now = null,
        string type = DeviceJwts.AccessType) =>
        DeviceJwts.VerifyAsync(jwt, new ECDsaSecurityKey(_key), type, Audience, requireExpiry, now ?? Now, Skew);

    [Fact]
    public async Task A_jwt_of_the_device_for_this_url_within_its_lifetime_is_accepted_with_its_jti_kept_until_it_expires()
    {
        var result = await VerifyAsync(Sign());

        Assert.True(result.Succeeded, result.Error?.Description);
        Assert.Equal("jti-1", result.Value.Jti);
        Assert.Equal(Now.AddMinutes(2) + Skew, result.Value.AcceptedUntil);
    }

    [Fact]
    public async Task A_decision_without_exp_is_accepted_for_five_minutes_after_its_iat()
    {
        var jwt = Sign(c => c.Remove("exp"), DeviceJwts.DecisionType);

        var fresh = await VerifyAsync(jwt, requireExpiry: false, now: Now.AddMinutes(5), type: DeviceJwts.DecisionType);
        var stale = await VerifyAsync(jwt, requireExpiry: false, now: Now.AddMinutes(6), type: DeviceJwts.DecisionType);

        Assert.True(fresh.Succeeded, fresh.Error?.Description);
        Assert.Equal(Now.AddMinutes(5) + Skew, fresh.Value.AcceptedUntil);
        Assert.False(stale.Succeeded);
        Assert.Contains("more than 300 seconds ago", stale.Error.Description, StringComparison.Ordinal);
    }

    public static TheoryData<string, string> Refusals => new()
    {
        { "other-key", "signature is not made with the device's key" },
        { "typ", "typ is not ciba-device-auth+jwt" },
        { "aud", "aud is not " + Audience },
        { "no-iat", "no iat" },
        { "future-iat", "iat is in the future" },
        { "long", "lives longer than 300 seconds" },
        { "expired", "has expired" },
        { "no-exp", "no exp" },
        { "no-jti", "no jti" },
        { "hs256", "not signed with ES256" },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public async Task A_jwt_breaking_a_rule_is_refused_as_invalid_token_with_the_rule(string broken, string reason)
    {
        var jwt = broken switch
        {
            "other-key" => Sign(key: _other),
            "typ" => Sign(type: DeviceJwts.DecisionType),
            "aud" => Sign(c => c["aud"] = "https://op.example/ciba/devices/abc/decisions"),
            "no-iat" => Sign(c => c.Remove("iat")),
            "future-iat" => Sign(c => c["iat"] = Now.AddMinutes(1).ToUnixTimeSeconds()),
            "long" => Sign(c => c["exp"] = Now.AddMinutes(6).ToUnixTimeSeconds()),
            "expired" => Sign(c => { c["iat"] = Now.AddMinutes(-4).ToUnixTimeSeconds(); c["exp"] = Now.AddMinutes(-1).ToUnixTimeSeconds(); }),
            "no-exp" => Sign(c => c.Remove("exp")),
            "no-jti" => Sign(c => c.Remove("jti")),
            _ => Handler.CreateToken(new SecurityTokenDescriptor
            {
                Claims = new Dictionary<string, object> { ["aud"] = Audience, ["iat"] = Now.ToUnixTimeSeconds(), ["jti"] = "x" },
                TokenType = DeviceJwts.AccessType,
                SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(new byte[32]), "HS256"),
            }),
        };

        var result = await VerifyAsync(jwt);

        Assert.False(result.Succeeded);
        Assert.Equal("invalid_token", result.Error.Error);
        Assert.Equal(401, result.Error.StatusCode);
        Assert.Contains(reason, result.Error.Description, StringComparison.Ordinal);
    }

    [Fact]
    public void A_registration_token_carries_the_key_that_signs_it_in_its_header()
    {
        var parameters = _key.ExportParameters(false);
        var jwk = new Dictionary<string, object>
        {
            ["kty"] = "EC", ["crv"] = "P-256", ["x"] = Base64UrlEncoder.Encode(parameters.Q.X), ["y"] = Base64UrlEncoder.Encode(parameters.Q.Y),
        };
        var token = Handler.CreateToken(new SecurityTokenDescriptor
        {
            Claims = new Dictionary<string, object> { ["jti"] = "x" },
            TokenType = DeviceJwts.RegistrationType,
            AdditionalHeaderClaims = new Dictionary<string, object> { ["jwk"] = jwk },
            SigningCredentials = new SigningCredentials(new ECDsaSecurityKey(_key), "ES256"),
        });

        var key = DeviceJwts.HeaderKey(token);

        Assert.True(key.Succeeded, key.Error?.Description);
        using var _ = key.Value;
        Assert.Contains((string)jwk["x"], key.Value.CanonicalJson, StringComparison.Ordinal);
        Assert.False(DeviceJwts.HeaderKey(Sign()).Succeeded);
        Assert.Equal("invalid_request", DeviceJwts.HeaderKey("not-a-jwt").Error!.Error);
    }

    public void Dispose()
    {
        _key.Dispose();
        _other.Dispose();
        GC.SuppressFinalize(this);
    }
}
