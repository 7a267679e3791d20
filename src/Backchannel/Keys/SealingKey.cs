namespace Backchannel.Keys;

/// <summary>A symmetric AES-256-GCM key that seals secrets at rest.</summary>
public sealed record SealingKey(string KeyId, byte[] Key, DateTimeOffset ActivatesAt, DateTimeOffset? RetainUntil)
{
    public const string Algorithm = "A256GCM";
    public const int Size = 32;
}
