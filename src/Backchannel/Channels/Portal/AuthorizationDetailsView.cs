using System.Globalization;
using System.Text.Json;

namespace Backchannel.Channels.Portal;

/// <summary>One entry of a request's authorization_details (RFC 9396), as readable fields: its type and its other members.</summary>
public sealed record AuthorizationDetail(string Type, IReadOnlyList<AuthorizationDetailField> Fields);

/// <summary>A member of an authorization detail: a label (nested members joined, e.g. "Instructed amount: currency") and its value as text.</summary>
public sealed record AuthorizationDetailField(string Label, string Value);

/// <summary>
/// Turns authorization_details (a JSON array of objects, validated at the request) into readable fields: nested objects
/// become labelled members, arrays of values a comma-separated list. Bounded: at most <see cref="MaxFields"/> fields per
/// entry, values cut at <see cref="MaxValueLength"/> characters. Text only: the page escapes it.
/// </summary>
public static class AuthorizationDetailsView
{
    public const int MaxFields = 64;
    public const int MaxValueLength = 500;
    private const int MaxDepth = 8;

    public static IReadOnlyList<AuthorizationDetail> Read(string? json)
    {
        if (string.IsNullOrEmpty(json))
        {
            return [];
        }

        try
        {
            using var document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 16 });
            if (document.RootElement.ValueKind != JsonValueKind.Array)
            {
                return [];
            }

            var details = new List<AuthorizationDetail>();
            foreach (var entry in document.RootElement.EnumerateArray())
            {
                if (entry.ValueKind != JsonValueKind.Object)
                {
                    continue;
                }

                var type = entry.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString()! : "(no type)";
                var fields = new List<AuthorizationDetailField>();
                foreach (var member in entry.EnumerateObject())
                {
                    if (member.Name != "type")
                    {
                        Flatten(Label(member.Name), member.Value, fields, 1);
                    }
                }

                details.Add(new AuthorizationDetail(type, fields));
            }

            return details;
        }
        catch (JsonException)
        {
            return [];
        }
    }

    private static void Flatten(string label, JsonElement value, List<AuthorizationDetailField> fields, int depth)
    {
        if (fields.Count >= MaxFields)
        {
            return;
        }

        if (value.ValueKind == JsonValueKind.Object && depth < MaxDepth)
        {
            foreach (var member in value.EnumerateObject())
            {
                Flatten($"{label}: {Label(member.Name)}", member.Value, fields, depth + 1);
            }

            return;
        }

        if (value.ValueKind == JsonValueKind.Array && depth < MaxDepth && value.EnumerateArray().All(IsScalar))
        {
            fields.Add(new AuthorizationDetailField(label, Cut(string.Join(", ", value.EnumerateArray().Select(Text)))));
            return;
        }

        if (value.ValueKind == JsonValueKind.Array && depth < MaxDepth)
        {
            var index = 1;
            foreach (var item in value.EnumerateArray())
            {
                Flatten($"{label} {index++}", item, fields, depth + 1);
            }

            return;
        }

        fields.Add(new AuthorizationDetailField(label, Cut(IsScalar(value) ? Text(value) : value.GetRawText())));
    }

    private static bool IsScalar(JsonElement value) => value.ValueKind is not (JsonValueKind.Object or JsonValueKind.Array);

    private static string Text(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString()!,
        JsonValueKind.True => "yes",
        JsonValueKind.False => "no",
        JsonValueKind.Null => "(none)",
        _ => value.GetRawText(),
    };

    /// <summary>A member name as a label: <c>instructedAmount</c> and <c>instructed_amount</c> read "Instructed amount".</summary>
    public static string Label(string name)
    {
        var words = new System.Text.StringBuilder(name.Length + 8);
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (c is '_' or '-')
            {
                words.Append(' ');
            }
            else if (char.IsUpper(c) && i > 0 && char.IsLower(name[i - 1]))
            {
                words.Append(' ').Append(char.ToLowerInvariant(c));
            }
            else
            {
                words.Append(c);
            }
        }

        var label = words.ToString().Trim();
        return label.Length == 0 ? name : char.ToUpper(label[0], CultureInfo.InvariantCulture) + label[1..];
    }

    private static string Cut(string value) => value.Length <= MaxValueLength ? value : value[..MaxValueLength] + "…";
}
