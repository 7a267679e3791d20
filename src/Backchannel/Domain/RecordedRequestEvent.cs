namespace Backchannel.Domain;

/// <summary>
/// A request event as the audit trail keeps it: the event, and its sequence number in the trail (the order in which the
/// store recorded it; with the event's time, a stable place to page from).
/// </summary>
public sealed record RecordedRequestEvent(long Sequence, RequestEvent Event);
