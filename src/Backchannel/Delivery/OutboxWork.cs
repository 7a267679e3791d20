using Backchannel.Domain;

namespace Backchannel.Delivery;

/// <summary>An outbox message to deliver, with its request when the sender already has it in memory.</summary>
public sealed record OutboxWork(OutboxMessage Message, AuthenticationRequest? Request);
