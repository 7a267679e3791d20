namespace Backchannel.Domain;

/// <summary>A user found in the directory: who the provider asks to authenticate.</summary>
public sealed record User
{
    public required string Subject { get; init; }

    public string? Username { get; init; }

    public string? Email { get; init; }

    public string? PhoneNumber { get; init; }

    public string? Name { get; init; }

    /// <summary>The channel that reaches the user; null: the rules and the default decide.</summary>
    public string? Channel { get; init; }

    public IReadOnlyDictionary<string, string> Claims { get; init; } = new Dictionary<string, string>();

    public static User From(UserRecord record) => new()
    {
        Subject = record.Subject,
        Username = record.Username,
        Email = record.Email,
        PhoneNumber = record.PhoneNumber,
        Name = record.Name,
        Channel = record.Channel,
        Claims = record.Claims,
    };
}
