using System.Security.Cryptography;
using System.Text;
using BenchmarkDotNet.Attributes;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Backchannel.Domain;
using Backchannel.Keys;
using Backchannel.Tokens;

namespace Backchannel.Bench.Signing;

/// <summary>
/// Single-threaded compact-JWS sign/verify cost per algorithm: the product's paths (signing: Backchannel's
/// <see cref="JwsWriter"/> with a <see cref="SigningKey"/>; verifying: JsonWebTokenHandler, as the provider validates
/// JWTs) and the raw BCL crypto underneath them.
/// </summary>
[MemoryDiagnoser]
public class SigningBenchmarks
{
    public const string Issuer = "https://op.backchannel.example.com";
    public const string Audience = "s6BhdRkqt3-client";

    [Params("RS256", "PS256", "ES256")]
    public string Alg { get; set; } = "ES256";

    private readonly JsonWebTokenHandler _handler = new();
    private AsymmetricAlgorithm _key = null!;
    private SigningKey _signingKey = null!;
    private byte[] _payloadUtf8 = [];
    private TokenValidationParameters _validation = null!;
    private string _payload = "";
    private string _token = "";
    private byte[] _signingInput = [];
    private byte[] _signature = [];

    [GlobalSetup]
    public void Setup()
    {
        _key = Alg == SecurityAlgorithms.EcdsaSha256 ? ECDsa.Create(ECCurve.NamedCurves.nistP256) : RSA.Create(2048);

        // The product's signing path: the header is built once per key, the payload JSON is signed as bytes.
        _signingKey = SigningKey.Create(_key, Alg, KeyPurpose.Tokens, DateTimeOffset.UtcNow);
        _payload = IdTokenPayload(DateTimeOffset.UtcNow);
        _payloadUtf8 = Encoding.UTF8.GetBytes(_payload);
        _token = JwtSign();

        int lastDot = _token.LastIndexOf('.');
        _signingInput = Encoding.ASCII.GetBytes(_token[..lastDot]);
        _signature = Base64UrlEncoder.DecodeBytes(_token[(lastDot + 1)..]);

        _validation = new TokenValidationParameters
        {
            ValidIssuer = Issuer,
            ValidAudience = Audience,
            ValidateIssuer = true,
            ValidateAudience = true,
            ValidateLifetime = true,
            ValidateIssuerSigningKey = true,
            IssuerSigningKey = _signingKey.SecurityKey,
            ValidAlgorithms = [Alg],
        };

        // Sanity: both paths must accept what the handler produced.
        if (!RawVerify())
            throw new InvalidOperationException($"{Alg}: raw verification of the handler's token failed");
        var result = JwtVerify().GetAwaiter().GetResult();
        if (!result)
            throw new InvalidOperationException($"{Alg}: JsonWebTokenHandler rejected its own token");
    }

    [GlobalCleanup]
    public void Cleanup() => _key.Dispose();

    [Benchmark]
    public string JwtSign() => JwsWriter.Sign(_signingKey, "JWT", _payloadUtf8);

    [Benchmark]
    public byte[] RawSign() => _key switch
    {
        ECDsa ec => ec.SignData(_signingInput, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation),
        RSA rsa => rsa.SignData(_signingInput, HashAlgorithmName.SHA256, RsaPadding),
        _ => throw new InvalidOperationException(),
    };

    [Benchmark]
    public async Task<bool> JwtVerify()
    {
        var result = await _handler.ValidateTokenAsync(_token, _validation).ConfigureAwait(false);
        return result.IsValid;
    }

    [Benchmark]
    public bool RawVerify() => _key switch
    {
        ECDsa ec => ec.VerifyData(_signingInput, _signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation),
        RSA rsa => rsa.VerifyData(_signingInput, _signature, HashAlgorithmName.SHA256, RsaPadding),
        _ => throw new InvalidOperationException(),
    };

    private RSASignaturePadding RsaPadding => Alg == SecurityAlgorithms.RsaSsaPssSha256 ? RSASignaturePadding.Pss : RSASignaturePadding.Pkcs1;

    /// <summary>An ID-token-sized CIBA payload (~350 bytes of JSON), valid for an hour.</summary>
    public static string IdTokenPayload(DateTimeOffset now)
    {
        long iat = now.ToUnixTimeSeconds();
        return $$"""
            {"iss":"{{Issuer}}","sub":"user-248289761001-a7c4e2f0b91d","aud":"{{Audience}}","exp":{{iat + 3600}},"iat":{{iat}},"auth_time":{{iat - 12}},"acr":"urn:mace:incommon:iap:silver","amr":["pwd","otp","hwk"],"urn:openid:params:jwt:claim:auth_req_id":"1c266114-a1be-4252-8ad1-04986c5b9ac1","at_hash":"77QmUPtjPfzWtF2AnpK9RQ"}
            """;
    }
}
