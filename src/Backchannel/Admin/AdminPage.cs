using System.Text.Json.Serialization;

namespace Backchannel.Admin;

/// <summary>A page of a list: its items, and the link to the next page (absent on the last).</summary>
public sealed record AdminPage<T>(
    [property: JsonPropertyName("items")] IReadOnlyList<T> Items,
    [property: JsonPropertyName("next")] string? Next);

/// <summary>A page as a service makes it: the items and the cursor of the next page, which the endpoint turns into a link.</summary>
public sealed record Page<T>(IReadOnlyList<T> Items, string? NextCursor);
