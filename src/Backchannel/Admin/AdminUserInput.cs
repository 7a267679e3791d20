using System.Text.Json.Serialization;

namespace Backchannel.Admin;

/// <summary>
/// A user as the admin API takes it (create and update). <c>password</c> and <c>user_code</c> are given in clear and
/// stored hashed; on update, absent (or null) keeps the stored one and an empty string removes it.
/// </summary>
public sealed record AdminUserInput
{
    [JsonPropertyName("sub")] public string? Subject { get; init; }
    [JsonPropertyName("username")] public string? Username { get; init; }
    [JsonPropertyName("email")] public string? Email { get; init; }
    [JsonPropertyName("phone_number")] public string? PhoneNumber { get; init; }
    [JsonPropertyName("name")] public string? Name { get; init; }
    [JsonPropertyName("channel")] public string? Channel { get; init; }
    [JsonPropertyName("claims")] public Dictionary<string, string>? Claims { get; init; }
    [JsonPropertyName("password")] public string? Password { get; init; }
    [JsonPropertyName("user_code")] public string? UserCode { get; init; }
}
