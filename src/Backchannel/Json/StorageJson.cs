using System.Text.Json;

namespace Backchannel.Json;

/// <summary>JSON columns of the store.</summary>
internal static class StorageJson
{
    public static string SerializeStrings(IReadOnlyList<string> values) =>
        JsonSerializer.Serialize(values, BackchannelJsonContext.Default.IReadOnlyListString);

    public static IReadOnlyList<string> DeserializeStrings(string json) =>
        JsonSerializer.Deserialize(json, BackchannelJsonContext.Default.ListString) ?? [];

    public static string? SerializeClaims(IReadOnlyDictionary<string, string> claims) =>
        claims.Count == 0 ? null : JsonSerializer.Serialize(claims.ToDictionary(), BackchannelJsonContext.Default.DictionaryStringString);

    public static IReadOnlyDictionary<string, string> DeserializeClaims(string json) =>
        JsonSerializer.Deserialize(json, BackchannelJsonContext.Default.DictionaryStringString) ?? [];
}
