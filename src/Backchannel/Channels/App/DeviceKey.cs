using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Backchannel.Protocol;
using Microsoft.IdentityModel.Tokens;

namespace Backchannel.Channels.App;

/// <summary>
/// A device's public key: an EC P-256 key for ES256, given as a JWK (RFC 7517). Kept in RFC 7638's canonical form, whose
/// SHA-256 (the JWK thumbprint) is the device's id, so that a device knows its id from its key alone.
/// </summary>
public sealed class DeviceKey : IDisposable
{
    private DeviceKey(string canonicalJson, ECParameters parameters)
    {
        CanonicalJson = canonicalJson;
        Thumbprint = Base64Url.EncodeToString(SHA256.HashData(Encoding.UTF8.GetBytes(canonicalJson)));
        // The key is disposed after use: signature providers are made for it alone, not cached by IdentityModel under
        // the key's thumbprint (a cached provider would outlive this key's ECDsa).
        SecurityKey = new ECDsaSecurityKey(ECDsa.Create(parameters))
        {
            CryptoProviderFactory = new CryptoProviderFactory { CacheSignatureProviders = false },
        };
    }

    /// <summary><c>{"crv":"P-256","kty":"EC","x":…,"y":…}</c>, as stored.</summary>
    public string CanonicalJson { get; }

    /// <summary>The RFC 7638 thumbprint (base64url SHA-256 of <see cref="CanonicalJson"/>): the device's id.</summary>
    public string Thumbprint { get; }

    /// <summary>The key that verifies the device's signatures.</summary>
    public SecurityKey SecurityKey { get; }

    /// <summary>Reads a public JWK a device sent: an EC P-256 point, no private part; what is wrong with it otherwise.</summary>
    public static ProtocolResult<DeviceKey> Parse(JsonElement jwk)
    {
        if (jwk.ValueKind != JsonValueKind.Object)
        {
            return Invalid("the jwk must be a JSON object (an EC P-256 public key)");
        }

        if (Member(jwk, "kty") != "EC" || Member(jwk, "crv") != "P-256")
        {
            return Invalid("the jwk must be an EC key on P-256 (kty EC, crv P-256): devices sign with ES256");
        }

        if (jwk.TryGetProperty("d", out _))
        {
            return Invalid("the jwk holds a private key (d); send the public key only, the private key never leaves the device");
        }

        if (Member(jwk, "alg") is { } alg && alg != SigningAlgorithms.ES256)
        {
            return Invalid("the jwk's alg must be ES256");
        }

        if (Member(jwk, "use") is { } use && use != "sig")
        {
            return Invalid("the jwk's use must be sig");
        }

        if (Coordinate(Member(jwk, "x")) is not { } x || Coordinate(Member(jwk, "y")) is not { } y)
        {
            return Invalid("the jwk's x and y must be the point's coordinates, 32 bytes each, base64url");
        }

        return Create(x, y) is { } key ? key : Invalid("the jwk's x and y are not a point on P-256");
    }

    /// <summary>A stored key (<see cref="CanonicalJson"/>).</summary>
    public static DeviceKey FromStored(string canonicalJson)
    {
        using var document = JsonDocument.Parse(canonicalJson);
        var root = document.RootElement;
        return Create(Coordinate(Member(root, "x"))!, Coordinate(Member(root, "y"))!)
               ?? throw new InvalidOperationException("A stored device key is not a P-256 point.");
    }

    public void Dispose() => ((ECDsaSecurityKey)SecurityKey).ECDsa.Dispose();

    private static DeviceKey? Create(byte[] x, byte[] y)
    {
        var parameters = new ECParameters { Curve = ECCurve.NamedCurves.nistP256, Q = new ECPoint { X = x, Y = y } };
        try
        {
            // Importing checks that the point is on the curve.
            using var check = ECDsa.Create(parameters);
        }
        catch (CryptographicException)
        {
            return null;
        }

        var canonical = $$"""{"crv":"P-256","kty":"EC","x":"{{Base64Url.EncodeToString(x)}}","y":"{{Base64Url.EncodeToString(y)}}"}""";
        return new DeviceKey(canonical, parameters);
    }

    private static string? Member(JsonElement jwk, string name) =>
        jwk.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static byte[]? Coordinate(string? value)
    {
        if (value is null || value.Length != 43)
        {
            return null;
        }

        var bytes = new byte[32];
        return Base64Url.TryDecodeFromChars(value, bytes, out var written) && written == 32 ? bytes : null;
    }

    private static ProtocolError Invalid(string description) => ProtocolError.InvalidRequest(description[..1].ToUpperInvariant() + description[1..] + ".");
}
