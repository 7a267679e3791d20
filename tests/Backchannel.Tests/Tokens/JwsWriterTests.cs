using System.Text;
using Backchannel.Domain;
using Backchannel.Keys;
using Backchannel.Protocol;
using Backchannel.Tokens;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Backchannel.Tests;

public class JwsWriterTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.UtcNow;

    private static readonly Dictionary<string, Lazy<SigningKey>> Keys = SigningAlgorithms.TokenSigning.ToDictionary(a => a, a => new Lazy<SigningKey>(() => NewKey(a)));

    private static SigningKey NewKey(string alg) => SigningKey.Create(SigningKey.Generate(alg), alg, KeyPurpose.Tokens, Now);

    /// <summary>One key per algorithm, shared by the tests that do not need a fresh one (RSA generation is slow).</summary>
    private static SigningKey Key(string alg) => Keys[alg].Value;

    private static byte[] Payload(string subject = "alice") => Encoding.UTF8.GetBytes(
        $"{{\"iss\":\"https://op.example.com\",\"sub\":\"{subject}\",\"aud\":\"client-a\",\"exp\":{Now.AddMinutes(5).ToUnixTimeSeconds()},\"iat\":{Now.ToUnixTimeSeconds()},\"name\":\"Zo\u00eb \U0001F431\"}}");

    private static Task<TokenValidationResult> ValidateAsync(string jws, SecurityKey key, string alg) =>
        new JsonWebTokenHandler().ValidateTokenAsync(jws, new TokenValidationParameters
        {
            ValidIssuer = "https://op.example.com",
            ValidAudience = "client-a",
            IssuerSigningKey = key,
            ValidAlgorithms = [alg],
            RequireSignedTokens = true,
        });

    [Theory]
    [InlineData(SigningAlgorithms.RS256)]
    [InlineData(SigningAlgorithms.PS256)]
    [InlineData(SigningAlgorithms.ES256)]
    public async Task Signed_token_validates_against_the_public_jwk(string alg)
    {
        var key = Key(alg);

        var jws = JwsWriter.Sign(key, "JWT", Payload());

        var result = await ValidateAsync(jws, key.PublicJwk, alg);
        Assert.True(result.IsValid, result.Exception?.ToString());
        var token = (JsonWebToken)result.SecurityToken;
        Assert.Equal("alice", token.Subject);
        Assert.Equal("Zo\u00eb \U0001F431", token.GetPayloadValue<string>("name"));
    }

    [Theory]
    [InlineData(SigningAlgorithms.RS256, "JWT")]
    [InlineData(SigningAlgorithms.PS256, "at+jwt")]
    [InlineData(SigningAlgorithms.ES256, "logout+jwt")]
    public void Header_has_alg_kid_and_typ(string alg, string typ)
    {
        var key = Key(alg);

        var token = new JsonWebToken(JwsWriter.Sign(key, typ, Payload()));

        Assert.Equal(alg, token.Alg);
        Assert.Equal(key.KeyId, token.Kid);
        Assert.Equal(typ, token.Typ);
    }

    [Theory]
    [InlineData(SigningAlgorithms.RS256)]
    [InlineData(SigningAlgorithms.PS256)]
    [InlineData(SigningAlgorithms.ES256)]
    public void Output_is_three_base64url_segments(string alg)
    {
        var jws = JwsWriter.Sign(Key(alg), "JWT", Payload());

        var parts = jws.Split('.');
        Assert.Equal(3, parts.Length);
        Assert.All(parts, p => Assert.Matches("^[A-Za-z0-9_-]+$", p));
        Assert.Equal(Payload(), Base64UrlEncoder.DecodeBytes(parts[1]));
    }

    [Theory]
    [InlineData(SigningAlgorithms.RS256)]
    [InlineData(SigningAlgorithms.PS256)]
    [InlineData(SigningAlgorithms.ES256)]
    public async Task Tampered_payload_fails_validation(string alg)
    {
        var key = Key(alg);
        var parts = JwsWriter.Sign(key, "JWT", Payload("alice")).Split('.');
        var tampered = $"{parts[0]}.{Base64UrlEncoder.Encode(Payload("mallory"))}.{parts[2]}";

        var result = await ValidateAsync(tampered, key.PublicJwk, alg);

        Assert.False(result.IsValid);
        Assert.IsAssignableFrom<SecurityTokenInvalidSignatureException>(result.Exception);
    }

    [Fact]
    public async Task Token_signed_by_another_key_fails_validation()
    {
        var jws = JwsWriter.Sign(NewKey(SigningAlgorithms.ES256), "JWT", Payload());

        var result = await ValidateAsync(jws, NewKey(SigningAlgorithms.ES256).PublicJwk, SigningAlgorithms.ES256);

        Assert.False(result.IsValid);
    }

    [Fact]
    public async Task Large_payload_is_signed_whole()
    {
        var key = Key(SigningAlgorithms.RS256);
        var claims = string.Concat(Enumerable.Range(0, 500).Select(i => $",\"c{i}\":\"{new string('v', 20)}\""));
        var payload = Encoding.UTF8.GetBytes(
            $"{{\"iss\":\"https://op.example.com\",\"aud\":\"client-a\",\"exp\":{Now.AddMinutes(5).ToUnixTimeSeconds()}{claims}}}");

        var result = await ValidateAsync(JwsWriter.Sign(key, "JWT", payload), key.PublicJwk, SigningAlgorithms.RS256);

        Assert.True(result.IsValid, result.Exception?.ToString());
        Assert.Equal(new string('v', 20), ((JsonWebToken)result.SecurityToken).GetPayloadValue<string>("c499"));
    }

    [Fact]
    public void Rsa_signatures_are_deterministic_and_ecdsa_ones_are_not()
    {
        var rsa = Key(SigningAlgorithms.RS256);
        var ec = Key(SigningAlgorithms.ES256);

        Assert.Equal(JwsWriter.Sign(rsa, "JWT", Payload()), JwsWriter.Sign(rsa, "JWT", Payload()));
        Assert.NotEqual(JwsWriter.Sign(ec, "JWT", Payload()), JwsWriter.Sign(ec, "JWT", Payload()));
    }
}
