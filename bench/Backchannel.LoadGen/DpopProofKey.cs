using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Backchannel.LoadGen;

/// <summary>
/// One DPoP key (ES256, P-256) and the proofs it signs (RFC 9449 4.2): header typ dpop+jwt, alg ES256 and the public
/// jwk; claims jti (128 random bits), htm, htu and iat. The header is encoded once; each proof is one ECDSA signature.
/// </summary>
public sealed class DpopProofKey : IDisposable
{
    private readonly ECDsa _key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly string _encodedHeader;

    public DpopProofKey()
    {
        var q = _key.ExportParameters(false).Q;
        var x = Base64Url.EncodeToString(q.X);
        var y = Base64Url.EncodeToString(q.Y);
        var header = "{\"typ\":\"dpop+jwt\",\"alg\":\"ES256\",\"jwk\":{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"" + x + "\",\"y\":\"" + y + "\"}}";
        _encodedHeader = Base64Url.EncodeToString(Encoding.UTF8.GetBytes(header));
    }

    /// <summary>A fresh proof for <paramref name="method"/> <paramref name="url"/> (the URL without query or fragment), issued now.</summary>
    public string Proof(string method, string url)
    {
        var jti = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        var iat = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var claims = $$"""{"jti":"{{jti}}","htm":"{{method}}","htu":"{{url}}","iat":{{iat}}}""";
        var signingInput = _encodedHeader + "." + Base64Url.EncodeToString(Encoding.UTF8.GetBytes(claims));
        // ECDsa.SignData gives r || s (IEEE P1363), the JWS form of an ES256 signature.
        var signature = _key.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256);
        return signingInput + "." + Base64Url.EncodeToString(signature);
    }

    public void Dispose() => _key.Dispose();
}
