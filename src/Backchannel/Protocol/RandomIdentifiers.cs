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

    /// <summary>An internal transaction id, shown to authentication devices instead of the auth_req_id: 128 bits.</summary>
    public static string NewTransactionId() => New(16);

    /// <summary>A JWT id: 128 bits.</summary>
    public static string NewJwtId() => New(16);

    public static string New(int bytes)
    {
        Span<byte> buffer = stackalloc byte[bytes];
        RandomNumberGenerator.Fill(buffer);
        return Base64Url.EncodeToString(buffer);
    }
}
