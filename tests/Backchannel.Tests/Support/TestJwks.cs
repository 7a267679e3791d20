using System.Security.Cryptography;
using Microsoft.IdentityModel.Tokens;

namespace Backchannel.Tests;

/// <summary>JWKs as configuration carries them: a map of each key's string members.</summary>
internal static class TestJwks
{
    private static readonly Lazy<RSA> Rsa2048 = new(() => RSA.Create(2048));
    private static readonly Lazy<RSA> Rsa1024 = new(() => RSA.Create(1024));
    private static readonly Lazy<ECDsa> P256 = new(() => ECDsa.Create(ECCurve.NamedCurves.nistP256));

    public static Dictionary<string, string> RsaPublic(int bits = 2048) =>
        Members(JsonWebKeyConverter.ConvertFromRSASecurityKey(new RsaSecurityKey(Rsa(bits).ExportParameters(false))));

    public static Dictionary<string, string> RsaPrivate() =>
        Members(JsonWebKeyConverter.ConvertFromRSASecurityKey(new RsaSecurityKey(Rsa2048.Value.ExportParameters(true))));

    public static Dictionary<string, string> EcPublic() =>
        Members(JsonWebKeyConverter.ConvertFromECDsaSecurityKey(new ECDsaSecurityKey(ECDsa.Create(P256.Value.ExportParameters(false)))));

    public static Dictionary<string, string> EcPrivate() =>
        Members(JsonWebKeyConverter.ConvertFromECDsaSecurityKey(new ECDsaSecurityKey(ECDsa.Create(P256.Value.ExportParameters(true)))));

    private static RSA Rsa(int bits) => bits switch
    {
        2048 => Rsa2048.Value,
        1024 => Rsa1024.Value,
        _ => throw new ArgumentOutOfRangeException(nameof(bits)),
    };

    private static Dictionary<string, string> Members(JsonWebKey jwk)
    {
        var members = new Dictionary<string, string>(StringComparer.Ordinal) { ["kty"] = jwk.Kty };
        Add(members, "kid", jwk.Kid);
        Add(members, "n", jwk.N);
        Add(members, "e", jwk.E);
        Add(members, "d", jwk.D);
        Add(members, "p", jwk.P);
        Add(members, "q", jwk.Q);
        Add(members, "dp", jwk.DP);
        Add(members, "dq", jwk.DQ);
        Add(members, "qi", jwk.QI);
        Add(members, "crv", jwk.Crv);
        Add(members, "x", jwk.X);
        Add(members, "y", jwk.Y);
        return members;
    }

    private static void Add(Dictionary<string, string> members, string name, string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            members[name] = value;
        }
    }
}
