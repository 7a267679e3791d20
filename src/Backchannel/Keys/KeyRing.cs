using Backchannel.Tokens;
using System.Text.Json;
using Microsoft.IdentityModel.Tokens;

namespace Backchannel.Keys;

/// <summary>An immutable snapshot of the provider's keys: which key signs what, and what /jwks publishes.</summary>
public sealed class KeyRing
{
    public KeyRing(SigningKey tokenSigningKey, SigningKey callbackSigningKey, IReadOnlyList<SigningKey> published)
    {
        TokenSigningKey = tokenSigningKey;
        CallbackSigningKey = callbackSigningKey;
        Published = published;
        VerificationKeys = published.Select(k => k.SecurityKey).ToArray();
        JwksJson = WriteJwks(published);
    }

    /// <summary>Signs ID tokens and access tokens.</summary>
    public SigningKey TokenSigningKey { get; }

    /// <summary>Signs the callback tokens given to authentication devices (always ES256: cheap to sign).</summary>
    public SigningKey CallbackSigningKey { get; }

    /// <summary>Every key /jwks publishes: active, next and recently retired.</summary>
    public IReadOnlyList<SigningKey> Published { get; }

    /// <summary>Keys that verify tokens this provider issued.</summary>
    public IReadOnlyList<SecurityKey> VerificationKeys { get; }

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
