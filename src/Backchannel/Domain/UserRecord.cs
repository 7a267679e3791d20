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

    /// <summary>When an operator disabled the user (the admin API); a disabled user is unknown to the protocol.</summary>
    public DateTimeOffset? DisabledAt { get; init; }

    /// <summary>Where the user came from (<see cref="UserSources"/>).</summary>
    public string Source { get; init; } = UserSources.Settings;

    /// <summary>Incremented by every write of the user; the admin API's updates are conditional on it.</summary>
    public int Version { get; init; } = 1;

    public bool IsDisabled => DisabledAt is not null;
}

/// <summary>Where a stored user came from.</summary>
public static class UserSources
{
    /// <summary>Backchannel:Users (and the demo users): rewritten at every start, removed when no longer configured.</summary>
    public const string Settings = "config";

    /// <summary>Created through the admin API: kept across restarts.</summary>
    public const string Admin = "admin";
}

/// <summary>What became of a conditional write of a user.</summary>
public enum UserWriteResult
{
    Written,

    /// <summary>Replace: no user has that subject.</summary>
    NotFound,

    /// <summary>Create: a user already has that subject.</summary>
    Exists,

    /// <summary>Another user has one of the user's identifiers (sub, username, e-mail, phone number) as any of its own.</summary>
    IdentifierTaken,

    /// <summary>Replace: the user was written since the expected version was read.</summary>
    VersionChanged,
}

/// <summary>The attributes a user can be found by.</summary>
public enum UserAttribute
{
    Subject,
    Username,
    Email,
    PhoneNumber,
}
