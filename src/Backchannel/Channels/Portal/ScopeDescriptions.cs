using Backchannel.Protocol;

namespace Backchannel.Channels.Portal;

/// <summary>What the scopes a client asks for mean, in plain words for the user.</summary>
public static class ScopeDescriptions
{
    private static readonly Dictionary<string, string> Known = new(StringComparer.Ordinal)
    {
        [Scopes.OpenId] = "Confirm who you are",
        [Scopes.Profile] = "Your name and profile details",
        [Scopes.Email] = "Your e-mail address",
        [Scopes.Phone] = "Your phone number",
        [Scopes.Address] = "Your postal address",
        [Scopes.OfflineAccess] = "Keep access while you are away (a refresh token)",
    };

    /// <summary>Each scope of <paramref name="scope"/> in plain words; a scope without a description is shown as it is.</summary>
    public static IReadOnlyList<string> Describe(string? scope) =>
        Scopes.Parse(scope).Select(s => Known.TryGetValue(s, out var words) ? words : $"Access named \"{s}\"").ToList();
}
