using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Backchannel.Domain;
using Microsoft.IdentityModel.Tokens;

namespace Backchannel.Security;

/// <summary>
/// self_signed_tls_client_auth (RFC 8705 2.2): the client's certificate is one of its registered keys (jwks or jwks_uri):
/// a JWK whose x5c begins with that certificate, or whose public key is the certificate's. No chain is checked: the
/// registration is the trust. A key not found is looked for once more in a fresh copy of the jwks_uri (key rotation).
/// </summary>
public sealed class SelfSignedCertificateVerifier(ClientKeyResolver keys)
{
    /// <summary>Null when the certificate authenticates <paramref name="client"/>; otherwise why not (for the log).</summary>
    public async ValueTask<string?> ProblemAsync(Client client, X509Certificate2 certificate, CancellationToken cancellationToken)
    {
        var thumbprint = PublicKeyThumbprint(certificate);
        if (thumbprint is null)
        {
            return "the client certificate's key is neither RSA nor EC";
        }

        foreach (var refresh in new[] { false, true })
        {
            if (refresh && client.JwksUri is null)
            {
                break;
            }

            foreach (var key in await keys.GetKeysAsync(client, refresh, cancellationToken))
            {
                if (Matches(key, certificate, thumbprint))
                {
                    return null;
                }
            }
        }

        return "the client certificate's key is not among the client's registered keys (jwks or jwks_uri)";
    }

    /// <summary>Whether <paramref name="key"/> is the certificate: its x5c's first certificate, or the same public key.</summary>
    public static bool Matches(SecurityKey key, X509Certificate2 certificate, string certificateKeyThumbprint)
    {
        try
        {
            if (key is JsonWebKey { X5c.Count: > 0 } jwk
                && Convert.FromBase64String(jwk.X5c[0]).AsSpan().SequenceEqual(certificate.RawData))
            {
                return true;
            }

            var jsonKey = key switch
            {
                JsonWebKey webKey => webKey,
                RsaSecurityKey rsa => JsonWebKeyConverter.ConvertFromRSASecurityKey(rsa),
                ECDsaSecurityKey ec => JsonWebKeyConverter.ConvertFromECDsaSecurityKey(ec),
                X509SecurityKey x509 => PublicKey(x509.Certificate),
                _ => null,
            };
            return jsonKey is { Kty: JsonWebAlgorithmsKeyTypes.RSA or JsonWebAlgorithmsKeyTypes.EllipticCurve }
                   && Base64UrlEncoder.Encode(jsonKey.ComputeJwkThumbprint()) == certificateKeyThumbprint;
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException or CryptographicException or InvalidOperationException)
        {
            return false;
        }
    }

    /// <summary>The RFC 7638 thumbprint of the certificate's public key, or null for a key that is neither RSA nor EC.</summary>
    public static string? PublicKeyThumbprint(X509Certificate2 certificate) =>
        PublicKey(certificate) is { } jwk ? Base64UrlEncoder.Encode(jwk.ComputeJwkThumbprint()) : null;

    private static JsonWebKey? PublicKey(X509Certificate2 certificate)
    {
        using var rsa = certificate.GetRSAPublicKey();
        if (rsa is not null)
        {
            return JsonWebKeyConverter.ConvertFromRSASecurityKey(new RsaSecurityKey(rsa.ExportParameters(false)));
        }

        using var ec = certificate.GetECDsaPublicKey();
        return ec is not null ? JsonWebKeyConverter.ConvertFromECDsaSecurityKey(new ECDsaSecurityKey(ec)) : null;
    }
}
