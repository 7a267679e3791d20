using Microsoft.Extensions.Configuration;

namespace Backchannel.Users;

/// <summary>A user of the built-in directory, as configured under <c>Backchannel:Users</c>.</summary>
public sealed class UserSettings
{
    [ConfigurationKeyName("sub")]
    public string? Sub { get; set; }

    [ConfigurationKeyName("username")]
    public string? Username { get; set; }

    [ConfigurationKeyName("email")]
    public string? Email { get; set; }

    [ConfigurationKeyName("phone_number")]
    public string? PhoneNumber { get; set; }

    [ConfigurationKeyName("name")]
    public string? Name { get; set; }

    /// <summary>The password, in clear or as a hash this provider produced (<c>pbkdf2-sha256$...</c>); stored hashed.</summary>
    [ConfigurationKeyName("password")]
    public string? Password { get; set; }

    /// <summary>The user's user_code (CIBA), in clear or as a hash; stored hashed.</summary>
    [ConfigurationKeyName("user_code")]
    public string? UserCode { get; set; }

    /// <summary>The authentication-device channel that reaches this user; empty: <c>Channels:Default</c>.</summary>
    [ConfigurationKeyName("channel")]
    public string? Channel { get; set; }

    /// <summary>More claims for userinfo (given_name, family_name, address, ...).</summary>
    [ConfigurationKeyName("claims")]
    public Dictionary<string, string> Claims { get; set; } = [];
}
