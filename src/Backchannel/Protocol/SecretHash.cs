using System.Security.Cryptography;
using System.Text;

namespace Backchannel.Protocol;

/// <summary>
/// SHA-256 of a high-entropy secret (auth_req_id, refresh token, client secret), so that the store never holds the
/// secret itself, and constant-time comparison of such hashes.
/// </summary>
public static class SecretHash
{
    public const int Length = 32;

    public static byte[] Compute(string secret)
    {
        var byteCount = Encoding.UTF8.GetByteCount(secret);
        if (byteCount <= 256)
        {
            Span<byte> utf8 = stackalloc byte[byteCount];
            Encoding.UTF8.GetBytes(secret, utf8);
            return SHA256.HashData(utf8);
        }

        return SHA256.HashData(Encoding.UTF8.GetBytes(secret));
    }

    public static bool Matches(string secret, ReadOnlySpan<byte> expectedHash)
    {
        Span<byte> actual = stackalloc byte[Length];
        var byteCount = Encoding.UTF8.GetByteCount(secret);
        if (byteCount <= 256)
        {
            Span<byte> utf8 = stackalloc byte[byteCount];
            Encoding.UTF8.GetBytes(secret, utf8);
            SHA256.HashData(utf8, actual);
        }
        else
        {
            SHA256.HashData(Encoding.UTF8.GetBytes(secret), actual);
        }

        return CryptographicOperations.FixedTimeEquals(actual, expectedHash);
    }
}
