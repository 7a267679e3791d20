using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Backchannel.Protocol;
using Microsoft.Extensions.Primitives;
using Microsoft.IdentityModel.Tokens;

namespace Backchannel.Security;

/// <summary>
/// The checks of a DPoP proof (RFC 9449 4.3), pure given <see cref="DpopProofContext"/>: exactly one DPoP header; a
/// compact JWS with typ <c>dpop+jwt</c>, an accepted asymmetric alg and a public <c>jwk</c> header that verifies the
/// signature; claims jti, htm (the method), htu (the endpoint, without query and fragment), iat within the window, ath at
/// a resource, nonce when the server requires one. The jti replay check needs the store: <see cref="DpopProofVerifier"/>.
/// </summary>
public static class DpopProofValidator
{
    public const string HeaderName = "DPoP";
    public const string ProofType = "dpop+jwt";

    /// <summary>Members of a JWK that only a private (or symmetric) key has.</summary>
    private static readonly string[] PrivateMembers = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"];

    private const int MaxJtiLength = 256;

    public static ProtocolResult<DpopProof> Validate(StringValues header, DpopProofContext context)
    {
        if (header.Count == 0 || string.IsNullOrEmpty(header[0]))
        {
            return Invalid("A DPoP proof is required (the DPoP header).");
        }

        if (header.Count > 1 || header[0]!.Contains(','))
        {
            return Invalid("Exactly one DPoP header is allowed.");
        }

        var proof = header[0]!;
        if (ClientJwtValidator.Inspect(proof, out var token) is { } malformed)
        {
            return Invalid($"The DPoP proof is refused: {malformed}.");
        }

        if (!string.Equals(token!.Typ, ProofType, StringComparison.OrdinalIgnoreCase))
        {
            return Invalid($"The DPoP proof's typ must be {ProofType}.");
        }

        if (!SigningAlgorithms.IsAsymmetric(token.Alg) || !context.Algorithms.Contains(token.Alg))
        {
            return Invalid($"The DPoP proof's alg '{token.Alg}' is not accepted (use {string.Join(", ", context.Algorithms)}).");
        }

        var key = ReadKey(token.EncodedHeader, out var keyProblem);
        if (key is null)
        {
            return Invalid($"The DPoP proof's jwk header {keyProblem}.");
        }

        if (!VerifySignature(proof, token.Alg, key))
        {
            return Invalid("The DPoP proof's signature does not verify with its jwk.");
        }

        using var payload = JsonDocument.Parse(Base64UrlEncoder.DecodeBytes(token.EncodedPayload));
        var claims = payload.RootElement;
        if (Text(claims, "jti") is not { Length: > 0 and <= MaxJtiLength } jti)
        {
            return Invalid($"The DPoP proof must have a jti of at most {MaxJtiLength} characters.");
        }

        if (Text(claims, "htm") is not { } htm || !string.Equals(htm, context.Method, StringComparison.Ordinal))
        {
            return Invalid($"The DPoP proof's htm must be the request's method ({context.Method}).");
        }

        if (Text(claims, "htu") is not { } htu || !SameUrl(htu, context.Url))
        {
            return Invalid($"The DPoP proof's htu must be {context.Url}.");
        }

        if (!claims.TryGetProperty("iat", out var iatValue) || !iatValue.TryGetInt64(out var iatSeconds))
        {
            return Invalid("The DPoP proof must have an iat.");
        }

        var issuedAt = DateTimeOffset.FromUnixTimeSeconds(Math.Clamp(iatSeconds, -62135596800L, 253402300799L));
        if (issuedAt > context.Now + context.ClockSkew)
        {
            return Invalid("The DPoP proof's iat is in the future.");
        }

        if (issuedAt < context.Now - context.Lifetime)
        {
            return Invalid($"The DPoP proof is too old (iat more than {(int)context.Lifetime.TotalSeconds} seconds ago).");
        }

        if (context.AccessTokenHash is { } expectedAth)
        {
            if (Text(claims, "ath") is not { } ath)
            {
                return Invalid("The DPoP proof must have an ath (the access token's hash) at this resource.");
            }

            if (!CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(ath), Encoding.ASCII.GetBytes(expectedAth)))
            {
                return Invalid("The DPoP proof's ath does not match the access token.");
            }
        }

        if (context.RequireNonce)
        {
            if (Text(claims, "nonce") is not { } nonce)
            {
                return new ProtocolError(ErrorCodes.UseDpopNonce, "The DPoP proof must carry the server's nonce (the DPoP-Nonce header).");
            }

            if (!context.IsValidNonce(nonce))
            {
                return new ProtocolError(ErrorCodes.UseDpopNonce, "The DPoP proof's nonce is stale or unknown; use the one in the DPoP-Nonce header.");
            }
        }

        string thumbprint;
        try
        {
            thumbprint = Thumbprint(key);
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or InvalidOperationException)
        {
            return Invalid("The DPoP proof's jwk header lacks a member its thumbprint (RFC 7638) needs.");
        }

        return new DpopProof(thumbprint, jti, issuedAt);
    }

    /// <summary>The ath of an access token: base64url of the SHA-256 of its ASCII.</summary>
    public static string AccessTokenHash(string accessToken) =>
        Base64Url.EncodeToString(SHA256.HashData(Encoding.ASCII.GetBytes(accessToken)));

    /// <summary>The RFC 7638 JWK SHA-256 thumbprint, base64url (the value of cnf.jkt).</summary>
    public static string Thumbprint(JsonWebKey key) => Base64Url.EncodeToString(key.ComputeJwkThumbprint());

    private static ProtocolError Invalid(string description) => new(ErrorCodes.InvalidDpopProof, description);

    private static JsonWebKey? ReadKey(string encodedHeader, out string problem)
    {
        problem = "is missing";
        using var header = JsonDocument.Parse(Base64UrlEncoder.DecodeBytes(encodedHeader));
        if (!header.RootElement.TryGetProperty("jwk", out var jwk))
        {
            return null;
        }

        if (jwk.ValueKind != JsonValueKind.Object)
        {
            problem = "is not a JSON object";
            return null;
        }

        if (PrivateMembers.FirstOrDefault(m => jwk.TryGetProperty(m, out _)) is { } member)
        {
            problem = $"must be a public key (it has the private member '{member}')";
            return null;
        }

        try
        {
            var key = new JsonWebKey(jwk.GetRawText());
            if (key.Kty is not (JsonWebAlgorithmsKeyTypes.RSA or JsonWebAlgorithmsKeyTypes.EllipticCurve))
            {
                problem = $"has kty '{key.Kty}'; only RSA and EC keys are accepted";
                return null;
            }

            if (key.Kty == JsonWebAlgorithmsKeyTypes.RSA && key.KeySize < 2048)
            {
                problem = "is an RSA key shorter than 2048 bits";
                return null;
            }

            return key;
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or JsonException or InvalidOperationException or OverflowException
                                       or CryptographicException)
        {
            problem = "is not a valid JWK";
            return null;
        }
    }

    private static bool VerifySignature(string proof, string algorithm, JsonWebKey key)
    {
        var lastDot = proof.LastIndexOf('.');
        try
        {
            var signature = Base64UrlEncoder.DecodeBytes(proof[(lastDot + 1)..]);
            var provider = CryptoProviderFactory.Default.CreateForVerifying(key, algorithm);
            try
            {
                return provider.Verify(Encoding.ASCII.GetBytes(proof[..lastDot]), signature);
            }
            finally
            {
                CryptoProviderFactory.Default.ReleaseSignatureProvider(provider);
            }
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or NotSupportedException or CryptographicException
                                       or SecurityTokenException or InvalidOperationException or OverflowException)
        {
            return false;
        }
    }

    private static string? Text(JsonElement claims, string name) =>
        claims.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    /// <summary>htu compared as RFC 9449 4.3 asks: without query and fragment, after syntax-based normalization (RFC 3986 6.2.2).</summary>
    private static bool SameUrl(string htu, string expected) =>
        Uri.TryCreate(htu, UriKind.Absolute, out var actual) && Uri.TryCreate(expected, UriKind.Absolute, out var wanted)
        && Uri.Compare(actual, wanted, UriComponents.SchemeAndServer | UriComponents.Path, UriFormat.Unescaped, StringComparison.Ordinal) == 0;
}
