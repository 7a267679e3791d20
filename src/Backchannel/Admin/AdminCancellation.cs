using System.Text.Json.Serialization;

namespace Backchannel.Admin;

/// <summary>The optional body of a cancellation: why (recorded in the audit trail).</summary>
public sealed record AdminCancellation([property: JsonPropertyName("reason")] string? Reason);
