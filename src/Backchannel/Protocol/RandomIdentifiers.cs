using System.Buffers.Binary;
using System.Buffers.Text;
using System.Security.Cryptography;

namespace Backchannel.Protocol;

/// <summary>Random identifiers and credentials from the operating system's CSPRNG, in base64url ([A-Za-z0-9_-]).</summary>
public static class RandomIdentifiers
{
    /// <summary>An auth_req_id: 256 bits (43 characters); the specification asks for 128 and recommends 160.</summary>
    public static string NewAuthReqId() => New(32);

    /// <summary>A refresh token: 256 bits.</summary>
    public static string NewRefreshToken() => New(32);

    /// <summary>
    /// An internal id (a request's transaction id, shown to authentication devices instead of the auth_req_id; a refresh
    /// token family): 128 bits, the first 48 the time in milliseconds and 80 random. Ids made later sort later, so the
    /// store appends them to its index instead of writing a random page of it for each new one. Not a secret.
    /// </summary>
    public static string NewSortableId(DateTimeOffset now)
    {
        Span<byte> buffer = stackalloc byte[16];
        BinaryPrimitives.WriteInt64BigEndian(buffer, now.ToUnixTimeMilliseconds() << 16);
        RandomNumberGenerator.Fill(buffer[6..]);
        return ToSortableText(buffer);
    }

    /// <summary>Base64url does not sort like its bytes; this alphabet does (digits, upper case, '_', lower case, '-' ordered by ASCII).</summary>
    private static string ToSortableText(ReadOnlySpan<byte> bytes)
    {
        const string alphabet = "-0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz";
        Span<char> text = stackalloc char[(bytes.Length * 8 + 5) / 6];
        var bits = 0;
        var value = 0;
        var index = 0;
        foreach (var b in bytes)
        {
            value = (value << 8) | b;
            bits += 8;
            while (bits >= 6)
            {
                bits -= 6;
                text[index++] = alphabet[(value >> bits) & 63];
            }
        }

        if (bits > 0)
        {
            text[index++] = alphabet[(value << (6 - bits)) & 63];
        }

        return new string(text[..index]);
    }

    /// <summary>A JWT id: 128 bits.</summary>
    public static string NewJwtId() => New(16);

    public static string New(int bytes)
    {
        Span<byte> buffer = stackalloc byte[bytes];
        RandomNumberGenerator.Fill(buffer);
        return Base64Url.EncodeToString(buffer);
    }
}
