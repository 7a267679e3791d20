namespace Backchannel.Security;

/// <summary>A DPoP proof that passed every check: the key it proved (by its RFC 7638 SHA-256 thumbprint) and its jti.</summary>
public sealed record DpopProof(string KeyThumbprint, string Jti, DateTimeOffset IssuedAt);
