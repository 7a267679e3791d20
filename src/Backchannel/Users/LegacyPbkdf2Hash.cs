using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Backchannel.Users;

/// <summary>
/// The hash format of earlier versions, <c>pbkdf2-sha256$iterations$salt$hash</c> (PBKDF2-HMAC-SHA256, base64): still
/// verified, so that databases and settings written by them keep working; new hashes use <see cref="UserSecretHasher"/>.
/// </summary>
internal static class LegacyPbkdf2Hash
{
    public const string Prefix = "pbkdf2-sha256$";
    private const int MinIterations = 1_000;
    private const int MaxIterations = 10_000_000;
    private const int HashSize = 32;

    public static bool IsHash(string value) => value.StartsWith(Prefix, StringComparison.Ordinal);

    /// <summary>Whether <paramref name="secret"/> matches; a malformed, truncated or hand-made encoding matches nothing.</summary>
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
                return false;
            }

            var actual = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(secret), salt, iterations, HashAlgorithmName.SHA256, HashSize);
            return CryptographicOperations.FixedTimeEquals(actual, expected);
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
