using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace Backchannel.Protocol;

/// <summary>
/// Pairwise subject identifiers (OpenID Connect Core 8.1): HMAC-SHA256, keyed with the provider's derivation secret, of
/// the sector identifier (a host name) and the user's own sub, in base64url (43 characters). The same user, sector and
/// key always give the same value; without the key, values of two sectors cannot be linked, nor a value traced to the
/// user's own sub.
/// </summary>
public static class PairwiseSubjectIdentifier
{
    /// <summary>The length of the derivation key, in bytes.</summary>
    public const int KeySize = 32;

    public static string Derive(ReadOnlySpan<byte> key, string sector, string subject)
    {
        // sector NUL subject: a host name has no NUL, so no other sector and subject make the same input.
        var length = Encoding.UTF8.GetByteCount(sector) + 1 + Encoding.UTF8.GetByteCount(subject);
        var input = length <= 512 ? stackalloc byte[length] : new byte[length];
        var written = Encoding.UTF8.GetBytes(sector, input);
        input[written++] = 0;
        Encoding.UTF8.GetBytes(subject, input[written..]);

        Span<byte> mac = stackalloc byte[HMACSHA256.HashSizeInBytes];
        HMACSHA256.HashData(key, input, mac);
        return Base64Url.EncodeToString(mac);
    }
}
