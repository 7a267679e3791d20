namespace Backchannel.Admin;

/// <summary>
/// What the admin API accepts as a user (pure): bounded, printable fields, a configured channel, a bounded set of claims.
/// Every problem is listed, naming the field.
/// </summary>
public static class AdminUserRules
{
    public const int MaxClaims = 50;

    public static IReadOnlyList<string> Check(AdminUserInput input, bool creating, IReadOnlySet<string>? channels)
    {
        var errors = new List<string>();
        if (creating && string.IsNullOrEmpty(input.Subject))
        {
            errors.Add("sub is required");
        }

        Text(errors, "sub", input.Subject, 255, allowSpaces: false);
        Text(errors, "username", input.Username, 255, allowSpaces: false);
        Text(errors, "email", input.Email, 254, allowSpaces: false);
        if (input.Email is { Length: > 0 } email && !email.Contains('@', StringComparison.Ordinal))
        {
            errors.Add("email must be an e-mail address");
        }

        Text(errors, "phone_number", input.PhoneNumber, 32, allowSpaces: false);
        Text(errors, "name", input.Name, 200, allowSpaces: true);
        Text(errors, "password", input.Password, 256, allowSpaces: true);
        Text(errors, "user_code", input.UserCode, 64, allowSpaces: false);
        if (input.Channel is { Length: > 0 } channel && channels is not null && !channels.Contains(channel))
        {
            errors.Add($"channel '{Shortened(channel)}' is not a configured channel ({string.Join(", ", channels.Order(StringComparer.Ordinal))})");
        }

        if (input.Claims is { } claims)
        {
            if (claims.Count > MaxClaims)
            {
                errors.Add($"claims has more than {MaxClaims} entries");
            }

            foreach (var (name, value) in claims.Take(MaxClaims + 1))
            {
                Text(errors, "claims name", name, 64, allowSpaces: false);
                Text(errors, $"claims.{Shortened(name)}", value, 1024, allowSpaces: true);
            }
        }

        return errors;
    }

    /// <summary>Blank text is no value (as the settings read it).</summary>
    public static string? Value(string? text) => string.IsNullOrWhiteSpace(text) ? null : text;

    private static void Text(List<string> errors, string field, string? value, int maxLength, bool allowSpaces)
    {
        if (value is null)
        {
            return;
        }

        if (value.Length > maxLength)
        {
            errors.Add($"{field} is longer than {maxLength} characters");
        }
        else if (value.Any(c => char.IsControl(c) || (!allowSpaces && char.IsWhiteSpace(c))))
        {
            errors.Add(allowSpaces ? $"{field} has control characters" : $"{field} has spaces or control characters");
        }
    }

    private static string Shortened(string text) => text.Length > 40 ? text[..40] + "..." : text;
}
