namespace Backchannel.Domain;

/// <summary>What a provider key is for.</summary>
public enum KeyPurpose
{
    /// <summary>Signs ID tokens and access tokens.</summary>
    Tokens = 0,

    /// <summary>Signs callback tokens for authentication devices.</summary>
    DeviceCallbacks = 1,

    /// <summary>Encrypts secrets the store must be able to read back (auth_req_ids of ping/push requests, pushed tokens).</summary>
    Sealing = 2,

    /// <summary>
    /// The secret pairwise subject identifiers are derived with (HMAC-SHA256). Created once, when a pairwise client first
    /// needs it, and never rotated: another key would give every user another pairwise sub.
    /// </summary>
    PairwiseSubjects = 3,
}

/// <summary>A provider key as the store keeps it: the private material and its publication window.</summary>
public sealed record StoredKey(string KeyId, string Algorithm, KeyPurpose Purpose, byte[] PrivateKey,
    DateTimeOffset CreatedAt, DateTimeOffset ActivatesAt, DateTimeOffset? RetainUntil);
