using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Backchannel.Protocol;
using Backchannel.Security;
using Microsoft.Extensions.Primitives;
using Microsoft.IdentityModel.Tokens;

namespace Backchannel.Tests.Security;

/// <summary>Each check of a DPoP proof (RFC 9449 4.3), one at a time, on a proof that passes all the others.</summary>
public sealed class DpopProofValidatorTests
{
    private const string Url = "https://op.example/token";
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly ECDsa Key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private static readonly ECDsa OtherKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    private static DpopProofContext Context(string? accessToken = null, bool requireNonce = false) => new()
    {
        Method = "POST",
        Url = Url,
        Now = Now,
        Lifetime = TimeSpan.FromSeconds(300),
        ClockSkew = TimeSpan.FromSeconds(30),
        Algorithms = SigningAlgorithms.DpopDefaults,
        AccessTokenHash = accessToken is null ? null : DpopProofValidator.AccessTokenHash(accessToken),
        RequireNonce = requireNonce,
        IsValidNonce = nonce => nonce == "good-nonce",
    };

    private static Dictionary<string, object> PublicJwk(ECDsa key)
    {
        var parameters = key.ExportParameters(false);
        return new() { ["kty"] = "EC", ["crv"] = "P-256", ["x"] = Base64UrlEncoder.Encode(parameters.Q.X), ["y"] = Base64UrlEncoder.Encode(parameters.Q.Y) };
    }

    /// <summary>A proof signed with <paramref name="signer"/>; <paramref name="header"/> and <paramref name="claims"/> change what a good proof has.</summary>
    private static string Proof(Action<Dictionary<string, object>>? header = null, Action<Dictionary<string, object>>? claims = null, ECDsa? signer = null)
    {
        var h = new Dictionary<string, object> { ["typ"] = "dpop+jwt", ["alg"] = "ES256", ["jwk"] = PublicJwk(Key) };
        var c = new Dictionary<string, object>
        {
            ["jti"] = Guid.NewGuid().ToString("N"), ["htm"] = "POST", ["htu"] = Url, ["iat"] = Now.ToUnixTimeSeconds(),
        };
        header?.Invoke(h);
        claims?.Invoke(c);
        var input = Base64UrlEncoder.Encode(JsonSerializer.Serialize(h)) + "." + Base64UrlEncoder.Encode(JsonSerializer.Serialize(c));
        var signature = (signer ?? Key).SignData(Encoding.ASCII.GetBytes(input), HashAlgorithmName.SHA256);
        return input + "." + Base64UrlEncoder.Encode(signature);
    }

    private static ProtocolResult<DpopProof> Validate(string proof, DpopProofContext? context = null) =>
        DpopProofValidator.Validate(new StringValues(proof), context ?? Context());

    private static void AssertInvalid(ProtocolResult<DpopProof> result, string expectedInDescription, string error = ErrorCodes.InvalidDpopProof)
    {
        Assert.False(result.Succeeded);
        Assert.Equal(error, result.Error.Error);
        Assert.Contains(expectedInDescription, result.Error.Description, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void A_good_proof_passes_and_gives_the_RFC_7638_thumbprint_of_its_key()
    {
        var result = Validate(Proof());

        Assert.True(result.Succeeded, result.Error?.Description);
        var jwk = PublicJwk(Key);
        var canonical = $"{{\"crv\":\"P-256\",\"kty\":\"EC\",\"x\":\"{jwk["x"]}\",\"y\":\"{jwk["y"]}\"}}";
        Assert.Equal(Base64UrlEncoder.Encode(SHA256.HashData(Encoding.UTF8.GetBytes(canonical))), result.Value.KeyThumbprint);
    }

    [Fact]
    public void A_missing_header_is_refused() => AssertInvalid(DpopProofValidator.Validate(StringValues.Empty, Context()), "required");

    [Fact]
    public void Two_headers_are_refused() => AssertInvalid(DpopProofValidator.Validate(new StringValues([Proof(), Proof()]), Context()), "Exactly one");

    [Fact]
    public void Two_proofs_in_one_header_are_refused() => AssertInvalid(Validate(Proof() + "," + Proof()), "Exactly one");

    [Fact]
    public void Not_a_JWT_is_refused() => AssertInvalid(Validate("not-a-jwt"), "refused");

    [Fact]
    public void Another_typ_is_refused() => AssertInvalid(Validate(Proof(header: h => h["typ"] = "JWT")), "typ");

    [Fact]
    public void Alg_none_is_refused()
    {
        var unsigned = Proof(header: h => h["alg"] = "none");
        AssertInvalid(Validate(unsigned[..(unsigned.LastIndexOf('.') + 1)]), "alg");
    }

    [Fact]
    public void A_symmetric_alg_is_refused() => AssertInvalid(Validate(Proof(header: h => h["alg"] = "HS256")), "alg 'HS256'");

    [Fact]
    public void An_alg_not_among_the_accepted_is_refused() =>
        AssertInvalid(Validate(Proof(), Context() with { Algorithms = ["PS256"] }), "alg 'ES256'");

    [Fact]
    public void A_missing_jwk_is_refused() => AssertInvalid(Validate(Proof(header: h => h.Remove("jwk"))), "jwk header is missing");

    [Fact]
    public void A_private_jwk_is_refused()
    {
        var d = Base64UrlEncoder.Encode(Key.ExportParameters(true).D);
        AssertInvalid(Validate(Proof(header: h => ((Dictionary<string, object>)h["jwk"])["d"] = d)), "private member 'd'");
    }

    [Fact]
    public void A_symmetric_jwk_is_refused() =>
        AssertInvalid(Validate(Proof(header: h => h["jwk"] = new Dictionary<string, object> { ["kty"] = "oct", ["k"] = "c2VjcmV0" })), "private member 'k'");

    [Fact]
    public void A_signature_of_another_key_is_refused() => AssertInvalid(Validate(Proof(signer: OtherKey)), "signature");

    [Fact]
    public void A_missing_jti_is_refused() => AssertInvalid(Validate(Proof(claims: c => c.Remove("jti"))), "jti");

    [Fact]
    public void A_wrong_htm_is_refused() => AssertInvalid(Validate(Proof(claims: c => c["htm"] = "GET")), "htm");

    [Fact]
    public void A_wrong_htu_is_refused() => AssertInvalid(Validate(Proof(claims: c => c["htu"] = "https://op.example/bc-authorize")), "htu");

    [Fact]
    public void An_htu_on_another_host_is_refused() => AssertInvalid(Validate(Proof(claims: c => c["htu"] = "https://evil.example/token")), "htu");

    [Fact]
    public void An_htu_with_query_and_fragment_and_another_case_of_host_is_the_same_endpoint() =>
        Assert.True(Validate(Proof(claims: c => c["htu"] = "https://OP.example:443/token?x=1#f")).Succeeded);

    [Fact]
    public void A_missing_iat_is_refused() => AssertInvalid(Validate(Proof(claims: c => c.Remove("iat"))), "iat");

    [Fact]
    public void A_stale_iat_is_refused() => AssertInvalid(Validate(Proof(claims: c => c["iat"] = Now.AddSeconds(-301).ToUnixTimeSeconds())), "too old");

    [Fact]
    public void An_iat_at_the_edge_of_the_window_passes() =>
        Assert.True(Validate(Proof(claims: c => c["iat"] = Now.AddSeconds(-300).ToUnixTimeSeconds())).Succeeded);

    [Fact]
    public void An_iat_in_the_future_beyond_the_skew_is_refused() =>
        AssertInvalid(Validate(Proof(claims: c => c["iat"] = Now.AddSeconds(31).ToUnixTimeSeconds())), "future");

    [Fact]
    public void At_a_resource_a_missing_ath_is_refused() => AssertInvalid(Validate(Proof(), Context(accessToken: "the-token")), "must have an ath");

    [Fact]
    public void At_a_resource_a_wrong_ath_is_refused() =>
        AssertInvalid(Validate(Proof(claims: c => c["ath"] = DpopProofValidator.AccessTokenHash("another-token")), Context(accessToken: "the-token")),
            "does not match");

    [Fact]
    public void At_a_resource_the_right_ath_passes() =>
        Assert.True(Validate(Proof(claims: c => c["ath"] = DpopProofValidator.AccessTokenHash("the-token")), Context(accessToken: "the-token")).Succeeded);

    [Fact]
    public void The_ath_is_base64url_of_the_SHA256_of_the_token() =>
        Assert.Equal(Base64UrlEncoder.Encode(SHA256.HashData("abc"u8)), DpopProofValidator.AccessTokenHash("abc"));

    [Fact]
    public void A_required_nonce_that_is_missing_asks_for_one() =>
        AssertInvalid(Validate(Proof(), Context(requireNonce: true)), "nonce", ErrorCodes.UseDpopNonce);

    [Fact]
    public void A_required_nonce_that_is_stale_asks_for_a_new_one() =>
        AssertInvalid(Validate(Proof(claims: c => c["nonce"] = "old-nonce"), Context(requireNonce: true)), "stale", ErrorCodes.UseDpopNonce);

    [Fact]
    public void A_required_nonce_that_is_good_passes() =>
        Assert.True(Validate(Proof(claims: c => c["nonce"] = "good-nonce"), Context(requireNonce: true)).Succeeded);

    [Theory]
    [InlineData("{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":5,\"y\":\"AA\"}")]
    [InlineData("{\"kty\":\"RSA\",\"n\":\"!!\",\"e\":\"AQAB\"}")]
    [InlineData("{\"kty\":\"EC\",\"crv\":\"P-999\",\"x\":\"AA\",\"y\":\"AA\"}")]
    [InlineData("\"a string\"")]
    public void A_malformed_jwk_is_refused_with_an_answer(string jwk)
    {
        var result = Validate(Proof(header: h => h["jwk"] = JsonDocument.Parse(jwk).RootElement.Clone()));

        Assert.False(result.Succeeded);
        Assert.Equal(ErrorCodes.InvalidDpopProof, result.Error.Error);
    }
}
