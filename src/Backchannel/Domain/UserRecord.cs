namespace Backchannel.Domain;

/// <summary>A user as the built-in directory stores it.</summary>
public sealed record UserRecord
{
    public required string Subject { get; init; }

    public string? Username { get; init; }

    public string? Email { get; init; }

    public string? PhoneNumber { get; init; }

    public string? Name { get; init; }

    /// <summary>The password's hash (ASP.NET Core Identity's PasswordHasher format).</summary>
    public string? PasswordHash { get; init; }

    public string? UserCodeHash { get; init; }

    public string? Channel { get; init; }

    /// <summary>More claims, as a JSON object of strings.</summary>
    public IReadOnlyDictionary<string, string> Claims { get; init; } = new Dictionary<string, string>();

    public DateTimeOffset UpdatedAt { get; init; }
}

/// <summary>The attributes a user can be found by.</summary>
public enum UserAttribute
{
    Subject,
    Username,
    Email,
    PhoneNumber,
}
