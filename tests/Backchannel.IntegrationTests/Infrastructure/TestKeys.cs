using System.Security.Cryptography;
using Microsoft.IdentityModel.Tokens;

namespace Backchannel.IntegrationTests.Infrastructure;

/// <summary>A client's key pair, and its public JWK as configuration carries it.</summary>
internal sealed class TestKey
{
    private TestKey(TestKey other, string algorithm)
    {
        Algorithm = algorithm;
        SecurityKey = other.SecurityKey;
        PublicJwk = other.PublicJwk;
    }

    private TestKey(AsymmetricAlgorithm key, string algorithm)
    {
        Algorithm = algorithm;
        SecurityKey = key switch
        {
            RSA rsa => new RsaSecurityKey(rsa) { KeyId = $"{algorithm}-{Guid.NewGuid():N}" },
            ECDsa ecdsa => new ECDsaSecurityKey(ecdsa) { KeyId = $"{algorithm}-{Guid.NewGuid():N}" },
            _ => throw new ArgumentException("unsupported key"),
        };
        var publicKey = key switch
        {
            RSA rsa => (SecurityKey)new RsaSecurityKey(rsa.ExportParameters(false)) { KeyId = SecurityKey.KeyId },
            ECDsa ecdsa => new ECDsaSecurityKey(ECDsa.Create(ecdsa.ExportParameters(false))) { KeyId = SecurityKey.KeyId },
            _ => throw new ArgumentException("unsupported key"),
        };
        PublicJwk = JsonWebKeyConverter.ConvertFromSecurityKey(publicKey);
    }

    public string Algorithm { get; }

    public SecurityKey SecurityKey { get; }

    public JsonWebKey PublicJwk { get; }

    public SigningCredentials Credentials => new(SecurityKey, Algorithm);

    public static TestKey Rsa(string algorithm = "PS256") => new(RSA.Create(2048), algorithm);

    /// <summary>The same key pair, signing with another algorithm.</summary>
    public static TestKey FromSecurityKey(TestKey key, string algorithm) => new(key, algorithm);

    public static TestKey EllipticCurve() => new(ECDsa.Create(ECCurve.NamedCurves.nistP256), "ES256");

    /// <summary>The configuration entries of this key as the client's jwks (Backchannel:Clients:i:jwks:keys:0:...).</summary>
    public IEnumerable<KeyValuePair<string, string?>> AsConfiguration(string clientPrefix)
    {
        var prefix = $"{clientPrefix}:jwks:keys:0:";
        yield return new(prefix + "kty", PublicJwk.Kty);
        yield return new(prefix + "kid", PublicJwk.Kid);
        yield return new(prefix + "use", "sig");
        if (PublicJwk.Kty == "RSA")
        {
            yield return new(prefix + "n", PublicJwk.N);
            yield return new(prefix + "e", PublicJwk.E);
        }
        else
        {
            yield return new(prefix + "crv", PublicJwk.Crv);
            yield return new(prefix + "x", PublicJwk.X);
            yield return new(prefix + "y", PublicJwk.Y);
        }
    }
}
