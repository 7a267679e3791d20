using Backchannel.Domain;

namespace Backchannel.Abstractions;

/// <summary>
/// Hands a message that was just committed to the outbox, leased to this node, to this node's worker in memory, so that
/// delivery starts at once. Losing the hand-off (a crash) loses nothing: the lease runs out and a scan sends it.
/// </summary>
public interface IOutboxHandOff
{
    /// <summary>The message with a lease of this node, so that it can be handed off once committed (unchanged when it is due later).</summary>
    OutboxMessage Lease(OutboxMessage message);

    void HandOff(OutboxMessage message, AuthenticationRequest? request);
}
