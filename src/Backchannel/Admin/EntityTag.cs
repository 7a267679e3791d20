using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace Backchannel.Admin;

/// <summary>
/// Strong entity tags of the admin API's resources (RFC 9110 8.8.3): a hash of what the resource is as stored, quoted,
/// so that any change makes a new tag; and the If-Match check (13.1.1: strong comparison, <c>*</c> matches any).
/// </summary>
public static class EntityTag
{
    /// <summary>The tag of a resource stored as <paramref name="parts"/>.</summary>
    public static string Of(params ReadOnlySpan<string?> parts)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var part in parts)
        {
            // Length-prefixed, so that no two different lists of parts hash the same text.
            var bytes = Encoding.UTF8.GetBytes(part ?? "\0");
            hash.AppendData(BitConverter.GetBytes(bytes.Length));
            hash.AppendData(bytes);
        }

        return "\"" + Base64Url.EncodeToString(hash.GetHashAndReset().AsSpan(0, 18)) + "\"";
    }

    /// <summary>Whether an If-Match header value (null: none) lets a change of the resource tagged <paramref name="current"/> go ahead.</summary>
    public static bool Matches(string? ifMatch, string current)
    {
        if (ifMatch is null)
        {
            return true;
        }

        foreach (var candidate in ifMatch.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (candidate == "*" || candidate == current)
            {
                return true;
            }
        }

        return false;
    }
}
