using Backchannel.Domain;
using Backchannel.Protocol;

namespace Backchannel.Users;

/// <summary>Which claims each standard scope releases (OpenID Connect Core 5.4).</summary>
public static class UserClaims
{
    public static readonly IReadOnlyList<string> ProfileClaims =
    [
        "name", "family_name", "given_name", "middle_name", "nickname", "preferred_username", "profile", "picture",
        "website", "gender", "birthdate", "zoneinfo", "locale", "updated_at",
    ];

    public static readonly IReadOnlyList<string> Supported =
        ["sub", .. ProfileClaims, "email", "email_verified", "phone_number", "phone_number_verified", "address"];

    /// <summary>The claims of <paramref name="scopes"/>, with <paramref name="subject"/> as sub (the client's view; default: the user's own).</summary>
    public static IReadOnlyDictionary<string, object> For(User user, IReadOnlyList<string> scopes, string? subject = null)
    {
        var claims = new Dictionary<string, object>(StringComparer.Ordinal) { ["sub"] = subject ?? user.Subject };
        if (scopes.Contains(Scopes.Profile))
        {
            Add(claims, "name", user.Name);
            Add(claims, "preferred_username", user.Username);
            foreach (var claim in ProfileClaims)
            {
                if (user.Claims.TryGetValue(claim, out var value))
                {
                    claims[claim] = value;
                }
            }
        }

        if (scopes.Contains(Scopes.Email) && user.Email is { } email)
        {
            claims["email"] = email;
            claims["email_verified"] = user.Claims.TryGetValue("email_verified", out var verified) && verified == "true";
        }

        if (scopes.Contains(Scopes.Phone) && user.PhoneNumber is { } phone)
        {
            claims["phone_number"] = phone;
            claims["phone_number_verified"] = user.Claims.TryGetValue("phone_number_verified", out var verified) && verified == "true";
        }

        if (scopes.Contains(Scopes.Address) && user.Claims.TryGetValue("address", out var address))
        {
            claims["address"] = new Dictionary<string, object> { ["formatted"] = address };
        }

        return claims;
    }

    private static void Add(Dictionary<string, object> claims, string name, string? value)
    {
        if (value is not null)
        {
            claims[name] = value;
        }
    }
}
