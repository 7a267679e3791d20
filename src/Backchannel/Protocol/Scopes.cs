namespace Backchannel.Protocol;

public static class Scopes
{
    public const string OpenId = "openid";
    public const string Profile = "profile";
    public const string Email = "email";
    public const string Phone = "phone";
    public const string Address = "address";
    public const string OfflineAccess = "offline_access";

    public static readonly IReadOnlyList<string> Standard = [OpenId, Profile, Email, Phone, Address, OfflineAccess];

    /// <summary>
    /// The admin API (<c>/admin</c>). Granted by the client_credentials grant only, to clients that list it in their
    /// <c>scope</c> metadata; never through a user's authentication (it may not be in <c>Ciba:Scopes</c>).
    /// </summary>
    public const string Admin = "backchannel:admin";

    /// <summary>The scopes the client_credentials grant can grant: those of the provider's own APIs (no user is involved).</summary>
    public static readonly IReadOnlyList<string> ClientCredentials = [Admin];

    /// <summary>Splits a space-delimited scope string into distinct scope tokens, in order.</summary>
    public static IReadOnlyList<string> Parse(string? scope)
    {
        if (string.IsNullOrWhiteSpace(scope))
        {
            return [];
        }

        var parts = scope.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return parts.Length == 1 ? parts : parts.Distinct(StringComparer.Ordinal).ToArray();
    }

    /// <summary>RFC 6749 scope-token syntax: %x21 / %x23-5B / %x5D-7E.</summary>
    public static bool IsValidToken(string token)
    {
        foreach (var c in token)
        {
            if (c < 0x21 || c == 0x22 || c == 0x5C || c > 0x7E)
            {
                return false;
            }
        }

        return token.Length > 0;
    }
}
