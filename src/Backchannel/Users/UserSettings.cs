using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

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

    /// <summary>The password, in clear or as a hash this provider produced (ASP.NET Core Identity V3, or an earlier version's <c>pbkdf2-sha256$...</c>); stored hashed.</summary>
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

/// <summary>The users of <c>Backchannel:Users</c>; seeded into the store at start.</summary>
public sealed class ConfiguredUsers
{
    public List<UserSettings> Users { get; set; } = [];
}

/// <summary>
/// Checks the configured users: each has a sub, and no identifier belongs to two users, whatever attribute holds it (a
/// login_hint is matched against every attribute: one user's username must not be another's e-mail address).
/// </summary>
public sealed class ConfiguredUsersValidator : IValidateOptions<ConfiguredUsers>
{
    public ValidateOptionsResult Validate(string? name, ConfiguredUsers options)
    {
        var errors = new List<string>();
        var owners = new Dictionary<string, (int User, string Kind)>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < options.Users.Count; i++)
        {
            var user = options.Users[i];
            if (string.IsNullOrWhiteSpace(user.Sub))
            {
                errors.Add($"Backchannel:Users:{i}: sub is required.");
                continue;
            }

            foreach (var (kind, value) in new[] { ("sub", user.Sub), ("username", user.Username), ("email", user.Email), ("phone_number", user.PhoneNumber) })
            {
                if (string.IsNullOrEmpty(value))
                {
                    continue;
                }

                if (owners.TryGetValue(value, out var owner) && owner.User != i)
                {
                    errors.Add($"Backchannel:Users:{i}: {kind} '{value}' is the {owner.Kind} of Backchannel:Users:{owner.User}; a login_hint must name one user.");
                }

                owners.TryAdd(value, (i, kind));
            }
        }

        return errors.Count == 0
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail(errors);
    }
}
