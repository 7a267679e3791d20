using System.Text.Json;
using Backchannel.Domain;
using Backchannel.Protocol;
using Microsoft.IdentityModel.Tokens;

namespace Backchannel.Keys;

/// <summary>An immutable snapshot of the provider's keys: which key signs what, and what /jwks publishes.</summary>
public sealed class KeyRing
{
    private readonly IReadOnlyDictionary<string, SigningKey> _tokenSigningKeys;
    private readonly IReadOnlyList<SealingKey> _sealingKeys;

    public KeyRing(string defaultAlgorithm, IReadOnlyDictionary<string, SigningKey> tokenSigningKeys, SigningKey callbackSigningKey,
        IReadOnlyList<SigningKey> published, SealingKey sealingKey, IReadOnlyList<SealingKey> sealingKeys)
    {
        _tokenSigningKeys = tokenSigningKeys;
        TokenSigningKey = tokenSigningKeys[defaultAlgorithm];
        CallbackSigningKey = callbackSigningKey;
        SealingKey = sealingKey;
        _sealingKeys = sealingKeys;
        Published = published;
        VerificationKeys = published.Where(k => k.Purpose == KeyPurpose.Tokens).Select(k => k.SecurityKey).ToArray();
        CallbackVerificationKeys = published.Where(k => k.Purpose == KeyPurpose.DeviceCallbacks).Select(k => k.SecurityKey).ToArray();
        TokenAlgorithms = published.Where(k => k.Purpose == KeyPurpose.Tokens).Select(k => k.Algorithm).Distinct().ToArray();
        JwksJson = WriteJwks(published);
    }

    /// <summary>Signs access tokens, and ID tokens of clients that asked for no other algorithm.</summary>
    public SigningKey TokenSigningKey { get; }

    /// <summary>The active token signing key of <paramref name="algorithm"/>, if the ring has one.</summary>
    public SigningKey? TokenSigningKeyFor(string algorithm) => _tokenSigningKeys.GetValueOrDefault(algorithm);

    /// <summary>Signs the callback tokens given to authentication devices (always ES256: cheap to sign).</summary>
    public SigningKey CallbackSigningKey { get; }

    /// <summary>Seals new secrets.</summary>
    public SealingKey SealingKey { get; }

    /// <summary>The sealing key with this id (current or retained), to unseal.</summary>
    public SealingKey? FindSealingKey(string keyId) => _sealingKeys.FirstOrDefault(k => k.KeyId == keyId);

    /// <summary>Every key /jwks publishes: active, next and recently retired.</summary>
    public IReadOnlyList<SigningKey> Published { get; }

    /// <summary>Whether /jwks publishes a key with this id.</summary>
    public bool Publishes(string keyId) => Published.Any(k => k.KeyId == keyId);

    /// <summary>Keys that verify the ID and access tokens this provider issued.</summary>
    public IReadOnlyList<SecurityKey> VerificationKeys { get; }

    /// <summary>Keys that verify the callback tokens this provider gave to device services.</summary>
    public IReadOnlyList<SecurityKey> CallbackVerificationKeys { get; }

    /// <summary>The algorithms of the published token keys.</summary>
    public IReadOnlyList<string> TokenAlgorithms { get; }

    /// <summary>The JWK Set document, serialized once.</summary>
    public byte[] JwksJson { get; }

    private static byte[] WriteJwks(IReadOnlyList<SigningKey> keys)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, JwtJson.WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteStartArray("keys");
            foreach (var key in keys)
            {
                var jwk = key.PublicJwk;
                writer.WriteStartObject();
                writer.WriteString("kty", jwk.Kty);
                writer.WriteString("use", "sig");
                writer.WriteString("kid", key.KeyId);
                writer.WriteString("alg", key.Algorithm);
                if (jwk.Kty == JsonWebAlgorithmsKeyTypes.RSA)
                {
                    writer.WriteString("n", jwk.N);
                    writer.WriteString("e", jwk.E);
                }
                else
                {
                    writer.WriteString("crv", jwk.Crv);
                    writer.WriteString("x", jwk.X);
                    writer.WriteString("y", jwk.Y);
                }

                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }
}
