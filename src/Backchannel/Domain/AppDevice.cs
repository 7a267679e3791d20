namespace Backchannel.Domain;

/// <summary>
/// A user's device registered for the app channel: its own ES256 key pair, of which the provider keeps the public key.
/// The device proves itself by signing short JWTs with it (to read its requests) and signs the user's decisions.
/// </summary>
public sealed record AppDevice
{
    /// <summary>The RFC 7638 thumbprint of <see cref="PublicKey"/> (base64url SHA-256): one device per key.</summary>
    public required string Id { get; init; }

    /// <summary>The user the device belongs to.</summary>
    public required string Subject { get; init; }

    /// <summary>What the user calls the device ("Alice's phone").</summary>
    public required string Name { get; init; }

    /// <summary>The public key as a JWK in RFC 7638's canonical form: <c>{"crv":"P-256","kty":"EC","x":…,"y":…}</c>.</summary>
    public required string PublicKey { get; init; }

    /// <summary>The device's Firebase Cloud Messaging registration token, if it wants wake-ups.</summary>
    public string? PushToken { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>When it was last registered again (its name or push token replaced).</summary>
    public required DateTimeOffset UpdatedAt { get; init; }
}
