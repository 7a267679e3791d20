using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text.Json;
using Backchannel.Domain;
using Backchannel.Keys;
using Backchannel.Protocol;
using Microsoft.IdentityModel.Tokens;

namespace Backchannel.Tests;

public class SigningKeyTests
{
    private static readonly DateTimeOffset Now = new(2030, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(SigningAlgorithms.RS256, "RSA", 256)]
    [InlineData(SigningAlgorithms.PS256, "RSA", 256)]
    [InlineData(SigningAlgorithms.ES256, "EC", 64)]
    public void Generated_key_has_the_algorithms_type_and_signature_size(string alg, string kty, int signatureSize)
    {
        var key = SigningKey.Create(SigningKey.Generate(alg), alg, KeyPurpose.Tokens, Now);

        Assert.Equal(alg, key.Algorithm);
        Assert.Equal(kty, key.PublicJwk.Kty);
        Assert.Equal(signatureSize, key.SignatureSize);
        Assert.Equal(KeyPurpose.Tokens, key.Purpose);
        Assert.Equal(Now, key.ActivatesAt);
        Assert.Null(key.RetainUntil);
    }

    [Fact]
    public void Generate_refuses_other_algorithms()
    {
        Assert.Throws<ArgumentException>(() => SigningKey.Generate("HS256"));
        Assert.Throws<ArgumentException>(() => SigningKey.Generate("ES384"));
    }

    [Theory]
    [InlineData(SigningAlgorithms.RS256)]
    [InlineData(SigningAlgorithms.ES256)]
    public void Key_id_is_the_rfc7638_thumbprint_and_the_public_jwk_carries_it(string alg)
    {
        var key = SigningKey.Create(SigningKey.Generate(alg), alg, KeyPurpose.Tokens, Now);

        var expected = Base64UrlEncoder.Encode(key.PublicJwk.ComputeJwkThumbprint());
        Assert.Equal(expected, key.KeyId);
        Assert.Equal(key.KeyId, key.PublicJwk.Kid);
        Assert.Equal(43, key.KeyId.Length);
    }

    [Theory]
    [InlineData(SigningAlgorithms.RS256)]
    [InlineData(SigningAlgorithms.ES256)]
    public void Public_jwk_has_no_private_material(string alg)
    {
        var key = SigningKey.Create(SigningKey.Generate(alg), alg, KeyPurpose.DeviceCallbacks, Now);

        Assert.False(key.PublicJwk.HasPrivateKey);
        Assert.Null(key.PublicJwk.D);
        Assert.Null(key.PublicJwk.P);
    }

    [Fact]
    public void Same_key_material_gives_the_same_key_id()
    {
        using var rsa = RSA.Create(2048);
        using var copy = RSA.Create();
        copy.ImportParameters(rsa.ExportParameters(true));

        var a = SigningKey.Create(rsa, SigningAlgorithms.RS256, KeyPurpose.Tokens, Now);
        var b = SigningKey.Create(copy, SigningAlgorithms.RS256, KeyPurpose.Tokens, Now);

        Assert.Equal(a.KeyId, b.KeyId);
    }

    [Fact]
    public void Exported_private_key_round_trips_to_the_same_key_id()
    {
        var key = SigningKey.Create(SigningKey.Generate(SigningAlgorithms.ES256), SigningAlgorithms.ES256, KeyPurpose.Tokens, Now);
        var reloaded = ECDsa.Create();
        reloaded.ImportPkcs8PrivateKey(key.ExportPrivateKey(), out _);

        Assert.Equal(key.KeyId, SigningKey.Create(reloaded, SigningAlgorithms.ES256, KeyPurpose.Tokens, Now).KeyId);
    }

    [Theory]
    [InlineData("JWT")]
    [InlineData("at+jwt")]
    public void Encoded_header_has_alg_kid_and_typ(string type)
    {
        var key = SigningKey.Create(SigningKey.Generate(SigningAlgorithms.PS256), SigningAlgorithms.PS256, KeyPurpose.Tokens, Now);

        using var header = JsonDocument.Parse(Base64Url.DecodeFromUtf8(key.EncodedHeader(type)));

        Assert.Equal(SigningAlgorithms.PS256, header.RootElement.GetProperty("alg").GetString());
        Assert.Equal(key.KeyId, header.RootElement.GetProperty("kid").GetString());
        Assert.Equal(type, header.RootElement.GetProperty("typ").GetString());
        Assert.Equal(3, header.RootElement.EnumerateObject().Count());
    }

    [Theory]
    [InlineData(SigningAlgorithms.RS256)]
    [InlineData(SigningAlgorithms.PS256)]
    [InlineData(SigningAlgorithms.ES256)]
    public void Sign_produces_a_signature_the_public_key_verifies(string alg)
    {
        var key = SigningKey.Create(SigningKey.Generate(alg), alg, KeyPurpose.Tokens, Now);
        var data = "header.payload"u8.ToArray();
        var signature = new byte[key.SignatureSize];

        var written = key.Sign(data, signature);

        Assert.Equal(key.SignatureSize, written);
        var valid = key.Key switch
        {
            RSA rsa => rsa.VerifyData(data, signature, HashAlgorithmName.SHA256,
                alg == SigningAlgorithms.PS256 ? RSASignaturePadding.Pss : RSASignaturePadding.Pkcs1),
            ECDsa ec => ec.VerifyData(data, signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation),
            _ => false,
        };
        Assert.True(valid);
    }

    [Fact]
    public void Sign_into_a_too_small_buffer_throws()
    {
        var key = SigningKey.Create(SigningKey.Generate(SigningAlgorithms.ES256), SigningAlgorithms.ES256, KeyPurpose.Tokens, Now);

        Assert.Throws<CryptographicException>(() => key.Sign("data"u8, new byte[10]));
    }
}
