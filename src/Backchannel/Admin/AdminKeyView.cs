using System.Text.Json.Serialization;

namespace Backchannel.Admin;

/// <summary>A signing key as the admin API shows it: its public description and schedule, never its private material.</summary>
public sealed record AdminKeyView
{
    [JsonPropertyName("kid")] public required string KeyId { get; init; }
    [JsonPropertyName("alg")] public required string Algorithm { get; init; }

    /// <summary>Always <c>sig</c>: these keys sign.</summary>
    [JsonPropertyName("use")] public string Use { get; init; } = "sig";

    /// <summary><c>tokens</c> (ID and access tokens) or <c>device_callbacks</c> (callback tokens of device services).</summary>
    [JsonPropertyName("purpose")] public required string Purpose { get; init; }

    /// <summary><c>next</c> (published, signs from activates_at), <c>active</c> (signs), <c>previous</c> (superseded, not yet retired) or <c>retired</c> (published until published_until).</summary>
    [JsonPropertyName("state")] public required string State { get; init; }

    /// <summary><c>generated</c> (in the store, rotated by the provider) or <c>file</c> (Tokens:SigningKeyFile, Tokens:NextSigningKeyFile).</summary>
    [JsonPropertyName("source")] public required string Source { get; init; }

    [JsonPropertyName("created_at")] public DateTimeOffset? CreatedAt { get; init; }
    [JsonPropertyName("activates_at")] public DateTimeOffset? ActivatesAt { get; init; }

    /// <summary>active: when the next key takes over (the planned retirement).</summary>
    [JsonPropertyName("retires_at")] public DateTimeOffset? RetiresAt { get; init; }

    /// <summary>retired: until when /jwks still publishes it.</summary>
    [JsonPropertyName("published_until")] public DateTimeOffset? PublishedUntil { get; init; }
}

/// <summary>One key rotated now: the key that signs from now on and the ones it retired.</summary>
public sealed record AdminKeyRotationView(
    [property: JsonPropertyName("purpose")] string Purpose,
    [property: JsonPropertyName("alg")] string Algorithm,
    [property: JsonPropertyName("activated")] string Activated,
    [property: JsonPropertyName("retired")] IReadOnlyList<string> Retired);

/// <summary>What POST /admin/keys/rotate did.</summary>
public sealed record AdminKeyRotationResult([property: JsonPropertyName("rotated")] IReadOnlyList<AdminKeyRotationView> Rotated);
