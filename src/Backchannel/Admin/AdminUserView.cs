using System.Text.Json.Serialization;
using Backchannel.Domain;

namespace Backchannel.Admin;

/// <summary>A user as the admin API shows it: never a password or user_code (nor their hashes), only whether there is one.</summary>
public sealed record AdminUserView
{
    [JsonPropertyName("sub")] public required string Subject { get; init; }
    [JsonPropertyName("username")] public string? Username { get; init; }
    [JsonPropertyName("email")] public string? Email { get; init; }
    [JsonPropertyName("phone_number")] public string? PhoneNumber { get; init; }
    [JsonPropertyName("name")] public string? Name { get; init; }
    [JsonPropertyName("channel")] public string? Channel { get; init; }
    [JsonPropertyName("claims")] public required IReadOnlyDictionary<string, string> Claims { get; init; }
    [JsonPropertyName("has_password")] public bool HasPassword { get; init; }
    [JsonPropertyName("has_user_code")] public bool HasUserCode { get; init; }
    [JsonPropertyName("disabled")] public bool Disabled { get; init; }
    [JsonPropertyName("disabled_at")] public DateTimeOffset? DisabledAt { get; init; }

    /// <summary><c>config</c> (Backchannel:Users, rewritten at every start) or <c>admin</c>.</summary>
    [JsonPropertyName("source")] public required string Source { get; init; }

    [JsonPropertyName("updated_at")] public DateTimeOffset UpdatedAt { get; init; }

    public static AdminUserView Of(UserRecord user) => new()
    {
        Subject = user.Subject,
        Username = user.Username,
        Email = user.Email,
        PhoneNumber = user.PhoneNumber,
        Name = user.Name,
        Channel = user.Channel,
        Claims = user.Claims,
        HasPassword = user.PasswordHash is not null,
        HasUserCode = user.UserCodeHash is not null,
        Disabled = user.IsDisabled,
        DisabledAt = user.DisabledAt,
        Source = user.Source,
        UpdatedAt = user.UpdatedAt,
    };
}

/// <summary>What disabling a user did: the user, and how many of its pending requests were cancelled.</summary>
public sealed record AdminUserDisabled(
    [property: JsonPropertyName("user")] AdminUserView User,
    [property: JsonPropertyName("cancelled_requests")] int CancelledRequests);
