using Backchannel.Abstractions;
using Backchannel.Diagnostics;
using Backchannel.Domain;

namespace Backchannel.Events;

/// <summary>
/// Where the features report what happened to a request: the audit log records it, the audit trail keeps it in the store
/// (written in batches off the request path, <see cref="AuditTrailWriter"/>) and the change feed carries it.
/// </summary>
public sealed class RequestEvents(IRequestEventFeed feed, AuditLog audit, AuditTrailWriter trail, TimeProvider time)
{
    public void Publish(RequestEvent requestEvent)
    {
        audit.Request(requestEvent);
        trail.Record(requestEvent);
        feed.Publish(requestEvent);
    }

    public void Publish(RequestEventKind kind, AuthenticationRequest request, string? detail = null) =>
        Publish(RequestEvent.For(kind, request, time.GetUtcNow()) with { Detail = detail });
}
