using Backchannel.Abstractions;
using Backchannel.Diagnostics;
using Backchannel.Protocol;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace Backchannel.Security;

/// <summary>
/// Verifies the DPoP proof of a request (RFC 9449): the pure checks of <see cref="DpopProofValidator"/>, then the jti,
/// recorded in the shared replay cache (every node sees it) until the proof could no longer be accepted.
/// </summary>
public sealed class DpopProofVerifier(
    IReplayCache replayCache,
    DpopNonces nonces,
    IOptions<DpopOptions> options,
    IOptions<ProviderOptions> provider,
    AuditLog audit,
    TimeProvider time)
{
    public IReadOnlyList<string> Algorithms => options.Value.EffectiveSigningAlgorithms;

    /// <summary>A nonce for the DPoP-Nonce header of a use_dpop_nonce answer.</summary>
    public string IssueNonce() => nonces.Issue();

    /// <summary>
    /// Verifies the proof in <paramref name="header"/> for a <paramref name="method"/> request to <paramref name="url"/>; at a
    /// resource, <paramref name="accessToken"/> is the token the proof's ath must hash.
    /// </summary>
    public async ValueTask<ProtocolResult<DpopProof>> VerifyAsync(StringValues header, string method, string url, string? accessToken,
        string clientId, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        if (!settings.Enabled)
        {
            return new ProtocolError(ErrorCodes.InvalidDpopProof, "DPoP is not enabled on this provider (Dpop:Enabled is false).");
        }

        var skew = provider.Value.ClockSkew;
        var checkedProof = DpopProofValidator.Validate(header, new DpopProofContext
        {
            Method = method,
            Url = url,
            Now = time.GetUtcNow(),
            Lifetime = settings.ProofLifetime,
            ClockSkew = skew,
            Algorithms = settings.EffectiveSigningAlgorithms,
            AccessTokenHash = accessToken is null ? null : DpopProofValidator.AccessTokenHash(accessToken),
            RequireNonce = settings.RequireNonce,
            IsValidNonce = nonces.IsValid,
        });
        if (!checkedProof.Succeeded)
        {
            return checkedProof.Error;
        }

        var proof = checkedProof.Value;

        // Remembered per key, until the proof's iat leaves the window (plus the skew a future iat was allowed).
        if (!await replayCache.TryAddAsync($"dpop:{proof.KeyThumbprint}:{proof.Jti}", proof.IssuedAt + settings.ProofLifetime + skew + skew,
                cancellationToken))
        {
            audit.ReplayRefused("dpop", clientId);
            return new ProtocolError(ErrorCodes.InvalidDpopProof, "The DPoP proof was used before (jti replay).");
        }

        return proof;
    }
}
