using System.Text.Json;

namespace Backchannel.Protocol;

/// <summary>
/// Reads the client metadata of a registration request (RFC 7591 2, RFC 7592 2.2): one JSON object, each member at most
/// once. Members this provider does not know are ignored (RFC 7591 2: "MUST ignore any client metadata ... that it does
/// not understand") and so not echoed. A member of the wrong JSON type is invalid_client_metadata naming the member.
/// </summary>
public static class ClientMetadataJson
{
    private const int MaxDepth = 16;

    public static ProtocolResult<ClientMetadata> Parse(ReadOnlyMemory<byte> json)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = MaxDepth, AllowDuplicateProperties = false });
        }
        catch (JsonException)
        {
            return Invalid($"The body must be one JSON object of client metadata: valid JSON, each member once, nested at most {MaxDepth} deep.");
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return Invalid("The body must be a JSON object of client metadata.");
            }

            try
            {
                return document.RootElement.Deserialize(ProtocolJsonContext.Default.ClientMetadata) is { } metadata
                    ? metadata
                    : Invalid("The body must be a JSON object of client metadata.");
            }
            catch (JsonException ex)
            {
                return Invalid(WrongType(ex.Path));
            }
        }
    }

    public static ProtocolError Invalid(string description) => new(ErrorCodes.InvalidClientMetadata, description);

    /// <summary>What a JSON path of the metadata (e.g. <c>$.grant_types[1]</c>) tells the client about the member it names.</summary>
    private static string WrongType(string? path)
    {
        var relative = path is { Length: > 2 } && path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : null;
        if (relative is null)
        {
            return "The body has a member of the wrong JSON type.";
        }

        var end = relative.IndexOfAny(['.', '[']);
        var member = end < 0 ? relative : relative[..end];
        var property = ProtocolJsonContext.Default.ClientMetadata.Properties.FirstOrDefault(p => p.Name == member);
        if (property is null || end >= 0 && property.PropertyType != typeof(List<string>))
        {
            return $"{member} is malformed at {relative}: {(member == "jwks" ? "a registered JWK may have string members only" : "wrong JSON type")}.";
        }

        return $"{member} must be {Expected(property.PropertyType)}.";
    }

    private static string Expected(Type type) =>
        type == typeof(bool?) ? "true or false"
        : type == typeof(int?) ? "an integer (a JSON number)"
        : type == typeof(List<string>) ? "an array of strings"
        : type == typeof(JwksDocument) ? "a JWK Set: {\"keys\": [...]}"
        : "a string";
}
