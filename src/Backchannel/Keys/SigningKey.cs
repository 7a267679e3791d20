using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Backchannel.Domain;
using Backchannel.Protocol;
using Microsoft.IdentityModel.Tokens;

namespace Backchannel.Keys;

/// <summary>A private signing key with its publication window.</summary>
public sealed class SigningKey
{
    private SigningKey(AsymmetricAlgorithm key, SecurityKey securityKey, string algorithm, KeyPurpose purpose,
        DateTimeOffset activatesAt, DateTimeOffset? retainUntil)
    {
        Key = key;
        SecurityKey = securityKey;
        Algorithm = algorithm;
        Purpose = purpose;
        ActivatesAt = activatesAt;
        RetainUntil = retainUntil;
        PublicJwk = JsonWebKeyConverter.ConvertFromSecurityKey(PublicOnly(key, KeyId));
    }

    /// <summary>The RFC 7638 thumbprint of the public key.</summary>
    public string KeyId => SecurityKey.KeyId;

    public string Algorithm { get; }

    public KeyPurpose Purpose { get; }

    public AsymmetricAlgorithm Key { get; }

    public SecurityKey SecurityKey { get; }

    /// <summary>The public key as a JWK, as /jwks publishes it.</summary>
    public JsonWebKey PublicJwk { get; }

    /// <summary>When the key starts signing; before that it is published only.</summary>
    public DateTimeOffset ActivatesAt { get; }

    /// <summary>When the key stops being published; null while it is the newest active key.</summary>
    public DateTimeOffset? RetainUntil { get; }

    public static SigningKey Create(AsymmetricAlgorithm key, string algorithm, KeyPurpose purpose,
        DateTimeOffset activatesAt, DateTimeOffset? retainUntil = null)
    {
        SecurityKey securityKey = key switch
        {
            RSA rsa => new RsaSecurityKey(rsa),
            ECDsa ecdsa => new ECDsaSecurityKey(ecdsa),
            _ => throw new ArgumentException($"Unsupported key type {key.GetType().Name}.", nameof(key)),
        };
        securityKey.KeyId = Base64UrlEncoder.Encode(securityKey.ComputeJwkThumbprint());
        return new SigningKey(key, securityKey, algorithm, purpose, activatesAt, retainUntil);
    }

    /// <summary>A new key pair for <paramref name="algorithm"/>: RSA 2048 for RS256/PS256, P-256 for ES256.</summary>
    public static AsymmetricAlgorithm Generate(string algorithm) => algorithm switch
    {
        SigningAlgorithms.ES256 => ECDsa.Create(ECCurve.NamedCurves.nistP256),
        SigningAlgorithms.RS256 or SigningAlgorithms.PS256 => RSA.Create(2048),
        _ => throw new ArgumentException($"Unsupported signing algorithm {algorithm}.", nameof(algorithm)),
    };

    public byte[] ExportPrivateKey() => Key.ExportPkcs8PrivateKey();

    /// <summary>The size of a JWS signature made with this key, in bytes.</summary>
    public int SignatureSize => Key switch
    {
        RSA rsa => rsa.KeySize / 8,
        _ => 64,
    };

    /// <summary>Signs a JWS signing input with the key's algorithm (SHA-256; RSASSA-PKCS1-v1_5, RSASSA-PSS, or ECDSA P1363).</summary>
    public int Sign(ReadOnlySpan<byte> data, Span<byte> signature)
    {
        bool signed;
        int written;
        switch (Key)
        {
            case RSA rsa:
                var padding = Algorithm == SigningAlgorithms.PS256 ? RSASignaturePadding.Pss : RSASignaturePadding.Pkcs1;
                signed = rsa.TrySignData(data, signature, HashAlgorithmName.SHA256, padding, out written);
                break;
            case ECDsa ecdsa:
                signed = ecdsa.TrySignData(data, signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation, out written);
                break;
            default:
                throw new InvalidOperationException("Unsupported key type.");
        }

        return signed ? written : throw new CryptographicException("The signature did not fit its buffer.");
    }

    /// <summary>The base64url-encoded JWS header for this key and a token type, built once.</summary>
    public byte[] EncodedHeader(string type) => _headers.GetOrAdd(type, static (typ, key) =>
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, JwtJson.WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteString("alg", key.Algorithm);
            writer.WriteString("kid", key.KeyId);
            writer.WriteString("typ", typ);
            writer.WriteEndObject();
        }

        return Encoding.ASCII.GetBytes(Base64Url.EncodeToString(buffer.ToArray()));
    }, this);

    private readonly ConcurrentDictionary<string, byte[]> _headers = new(StringComparer.Ordinal);

    private static SecurityKey PublicOnly(AsymmetricAlgorithm key, string keyId)
    {
        SecurityKey publicKey = key switch
        {
            RSA rsa => new RsaSecurityKey(rsa.ExportParameters(false)),
            ECDsa ecdsa => new ECDsaSecurityKey(ECDsa.Create(ecdsa.ExportParameters(false))),
            _ => throw new ArgumentException($"Unsupported key type {key.GetType().Name}.", nameof(key)),
        };
        publicKey.KeyId = keyId;
        return publicKey;
    }
}
