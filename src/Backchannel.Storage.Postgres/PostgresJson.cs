using System.Text.Json;
using System.Text.Json.Serialization;

namespace Backchannel.Storage.Postgres;

/// <summary>JSON columns of the store (a user's claims), written as the embedded store writes them.</summary>
internal static class PostgresJson
{
    public static string? SerializeClaims(IReadOnlyDictionary<string, string> claims) =>
        claims.Count == 0 ? null : JsonSerializer.Serialize(claims.ToDictionary(), PostgresJsonContext.Default.DictionaryStringString);

    public static IReadOnlyDictionary<string, string> DeserializeClaims(string json) =>
        JsonSerializer.Deserialize(json, PostgresJsonContext.Default.DictionaryStringString) ?? [];
}

[JsonSerializable(typeof(Dictionary<string, string>))]
internal sealed partial class PostgresJsonContext : JsonSerializerContext;
