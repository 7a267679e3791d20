using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Backchannel.Users;

/// <summary>
/// Slow hashing for low-entropy user secrets (passwords, user codes): PBKDF2-HMAC-SHA256, encoded as
/// <c>pbkdf2-sha256$iterations$salt$hash</c> (base64).
/// </summary>
public static class PasswordHasher
{
    public const string Prefix = "pbkdf2-sha256$";
    public const int DefaultIterations = 100_000;
    private const int MinIterations = 1_000;
    private const int MaxIterations = 10_000_000;
    private const int SaltSize = 16;
    private const int HashSize = 32;

    public static bool IsHash(string value) => value.StartsWith(Prefix, StringComparison.Ordinal);

    public static string Hash(string secret, int iterations = DefaultIterations)
    {
        var salt = RandomNumberGenerator.GetBytes(SaltSize);
        var hash = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(secret), salt, iterations, HashAlgorithmName.SHA256, HashSize);
        return string.Create(CultureInfo.InvariantCulture, $"{Prefix}{iterations}${Convert.ToBase64String(salt)}${Convert.ToBase64String(hash)}");
    }

    public static bool Verify(string secret, string encoded)
    {
        var parts = encoded.Split('$');
        if (parts.Length != 4 || parts[0] + "$" != Prefix
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var iterations)
            || iterations is < MinIterations or > MaxIterations)
        {
            return false;
        }

        try
        {
            var salt = Convert.FromBase64String(parts[2]);
            var expected = Convert.FromBase64String(parts[3]);
            if (salt.Length < 8 || expected.Length != HashSize)
            {
                // A truncated or hand-made encoding must never match (an empty hash would match everything).
                return false;
            }

            var actual = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(secret), salt, iterations, HashAlgorithmName.SHA256, expected.Length);
            return CryptographicOperations.FixedTimeEquals(actual, expected);
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
