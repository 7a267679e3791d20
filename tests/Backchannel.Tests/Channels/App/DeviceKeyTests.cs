using System.Security.Cryptography;
using System.Text.Json;
using Backchannel.Channels.App;
using Microsoft.IdentityModel.Tokens;

namespace Backchannel.Tests.Channels.App;

public class DeviceKeyTests
{
    private static (ECDsa Key, Dictionary<string, object> Jwk) NewKey()
    {
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var parameters = key.ExportParameters(false);
        return (key, new Dictionary<string, object>
        {
            ["kty"] = "EC",
            ["crv"] = "P-256",
            ["x"] = Base64UrlEncoder.Encode(parameters.Q.X),
            ["y"] = Base64UrlEncoder.Encode(parameters.Q.Y),
            ["kid"] = "ignored",
            ["use"] = "sig",
            ["alg"] = "ES256",
        });
    }

    private static JsonElement Json(object value) => JsonSerializer.SerializeToElement(value);

    [Fact]
    public void A_public_p256_key_is_kept_in_canonical_form_and_its_id_is_the_rfc_7638_thumbprint()
    {
        var (key, jwk) = NewKey();
        using var _ = key;

        var parsed = DeviceKey.Parse(Json(jwk));

        Assert.True(parsed.Succeeded, parsed.Error?.Description);
        using var device = parsed.Value;
        Assert.Equal($$"""{"crv":"P-256","kty":"EC","x":"{{jwk["x"]}}","y":"{{jwk["y"]}}"}""", device.CanonicalJson);
        var expected = new JsonWebKey { Kty = "EC", Crv = "P-256", X = (string)jwk["x"], Y = (string)jwk["y"] };
        Assert.Equal(Base64UrlEncoder.Encode(expected.ComputeJwkThumbprint()), device.Thumbprint);

        using var stored = DeviceKey.FromStored(device.CanonicalJson);
        Assert.Equal(device.Thumbprint, stored.Thumbprint);
    }

    [Theory]
    [InlineData("kty", "RSA", "EC key on P-256")]
    [InlineData("crv", "P-384", "EC key on P-256")]
    [InlineData("alg", "ES384", "alg must be ES256")]
    [InlineData("use", "enc", "use must be sig")]
    [InlineData("x", "AAAA", "32 bytes each")]
    [InlineData("d", "c2VjcmV0", "private key")]
    public void A_key_that_is_not_a_public_p256_signing_key_is_refused_with_the_reason(string member, string value, string reason)
    {
        var (key, jwk) = NewKey();
        using var _ = key;
        jwk[member] = value;

        var parsed = DeviceKey.Parse(Json(jwk));

        Assert.False(parsed.Succeeded);
        Assert.Equal("invalid_request", parsed.Error.Error);
        Assert.Contains(reason, parsed.Error.Description, StringComparison.Ordinal);
    }

    [Fact]
    public void Coordinates_of_no_point_on_the_curve_are_refused()
    {
        var (key, jwk) = NewKey();
        using var _ = key;
        jwk["y"] = jwk["x"];

        var parsed = DeviceKey.Parse(Json(jwk));

        Assert.False(parsed.Succeeded);
        Assert.Contains("not a point on P-256", parsed.Error.Description, StringComparison.Ordinal);
        Assert.False(DeviceKey.Parse(Json("a string")).Succeeded);
    }
}
