using System.Text.Json;
using System.Text.Json.Serialization;

namespace Backchannel.Storage.Sqlite;

/// <summary>JSON columns of the store.</summary>
internal static class StorageJson
{
    public static string SerializeStrings(IReadOnlyList<string> values) =>
        JsonSerializer.Serialize(values, SqliteJsonContext.Default.IReadOnlyListString);

    public static IReadOnlyList<string> DeserializeStrings(string json) =>
        JsonSerializer.Deserialize(json, SqliteJsonContext.Default.ListString) ?? [];

    public static string? SerializeClaims(IReadOnlyDictionary<string, string> claims) =>
        claims.Count == 0 ? null : JsonSerializer.Serialize(claims.ToDictionary(), SqliteJsonContext.Default.DictionaryStringString);

    public static IReadOnlyDictionary<string, string> DeserializeClaims(string json) =>
        JsonSerializer.Deserialize(json, SqliteJsonContext.Default.DictionaryStringString) ?? [];
}

[JsonSerializable(typeof(IReadOnlyList<string>))]
[JsonSerializable(typeof(List<string>))]
[JsonSerializable(typeof(Dictionary<string, string>))]
internal sealed partial class SqliteJsonContext : JsonSerializerContext;
