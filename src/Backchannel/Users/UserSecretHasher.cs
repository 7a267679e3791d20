using System.Buffers.Text;
using Backchannel.Domain;
using Microsoft.AspNetCore.Identity;

namespace Backchannel.Users;

/// <summary>
/// Slow hashing for low-entropy user secrets (passwords, user codes), with ASP.NET Core Identity's
/// <see cref="PasswordHasher{TUser}"/> (PBKDF2 with HMAC-SHA512, a random salt, its iteration count in the hash).
/// Hashes of earlier versions (<c>pbkdf2-sha256$...</c>) are still recognised and verified.
/// </summary>
public static class UserSecretHasher
{
    private static readonly PasswordHasher<UserRecord> Hasher = new();

    /// <summary>The version byte of the format (Identity V3) and the shortest valid hash: version, PRF, iterations, salt length, 16-byte salt, 32-byte subkey.</summary>
    private const byte FormatMarker = 0x01;
    private const int MinimumLength = 1 + 4 + 4 + 4 + 16 + 32;

    public static string Hash(string secret) => Hasher.HashPassword(null!, secret);

    /// <summary>Whether <paramref name="secret"/> matches <paramref name="hash"/>; a malformed hash matches nothing.</summary>
    public static bool Verify(string secret, string hash)
    {
        if (LegacyPbkdf2Hash.IsHash(hash))
        {
            return LegacyPbkdf2Hash.Verify(secret, hash);
        }

        if (!IsIdentityHash(hash))
        {
            return false;
        }

        try
        {
            return Hasher.VerifyHashedPassword(null!, hash, secret) != PasswordVerificationResult.Failed;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    /// <summary>Whether a configured value is already a hash (of this format or an earlier version's), else a secret in clear.</summary>
    public static bool IsHash(string value) => LegacyPbkdf2Hash.IsHash(value) || IsIdentityHash(value);

    private static bool IsIdentityHash(string value)
    {
        if (value.Length < 80 || value.Length > 512 || !Base64.IsValid(value, out var length) || length < MinimumLength)
        {
            return false;
        }

        Span<byte> first = stackalloc byte[3];
        return Convert.TryFromBase64Chars(value.AsSpan(0, 4), first, out _) && first[0] == FormatMarker;
    }
}
