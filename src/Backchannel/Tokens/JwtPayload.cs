using System.Buffers.Text;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;

namespace Backchannel.Tokens;

/// <summary>The payload of a validated JWT as JSON, for claims whose JSON type matters (numbers or strings, objects, arrays).</summary>
public static class JwtPayload
{
    public static JsonDocument Parse(JsonWebToken token) => JsonDocument.Parse(Base64Url.DecodeFromChars(token.EncodedPayload));

    /// <summary>A string claim; null when absent, not a string, or empty.</summary>
    public static string? String(JsonElement payload, string claim) =>
        payload.TryGetProperty(claim, out var value) && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } s ? s : null;

    /// <summary>A claim as text: a string's value, or the JSON of a number, object or array; null when absent or null.</summary>
    public static string? Text(JsonElement payload, string claim) =>
        !payload.TryGetProperty(claim, out var value) ? null
        : value.ValueKind switch
        {
            JsonValueKind.String => value.GetString() is { Length: > 0 } s ? s : null,
            JsonValueKind.Null or JsonValueKind.Undefined => null,
            _ => value.GetRawText(),
        };
}
