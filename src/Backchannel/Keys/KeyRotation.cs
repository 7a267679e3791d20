using Backchannel.Domain;

namespace Backchannel.Keys;

/// <summary>One key rotated now: the key that signs from now on, and the keys it retired (still published for the retention period).</summary>
public sealed record KeyRotation(KeyPurpose Purpose, string Algorithm, string ActivatedKeyId, IReadOnlyList<string> RetiredKeyIds);
