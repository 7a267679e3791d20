using Backchannel.Abstractions;
using Backchannel.Decisions;
using Backchannel.Domain;
using Backchannel.Events;
using Backchannel.Protocol;

namespace Backchannel.Admin;

/// <summary>
/// The admin API's requests: pending and recent ones (those still in the store: until
/// <c>Storage:ExpiredRequestRetentionSeconds</c> after their expiry or redemption), listed newest first by client or user;
/// one read; a pending one cancelled; and the audit trail of one (kept for <c>Audit:RetentionDays</c>).
/// </summary>
public sealed class RequestAdministration(
    IAuthenticationRequestStore requests,
    IAuditStore audit,
    AuditTrailWriter trail,
    DecisionService decisions,
    TimeProvider time)
{
    public const int MaxReasonLength = 200;

    public async Task<Page<AdminRequestView>> ListAsync(string? clientId, string? subject, bool pendingOnly, string? before, int limit,
        CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var page = await requests.ListAsync(new RequestListQuery
        {
            ClientId = clientId,
            Subject = subject,
            PendingOnly = pendingOnly,
            Now = now,
            Before = before,
            Limit = limit,
        }, cancellationToken);
        return new Page<AdminRequestView>(page.Requests.Select(r => AdminRequestView.Of(r, now)).ToList(),
            page.Next is { } next ? AdminPaging.Cursor(next) : null);
    }

    public async Task<ProtocolResult<AdminRequestView>> ReadAsync(string id, CancellationToken cancellationToken) =>
        await requests.FindAsync(id, cancellationToken) is { } request ? AdminRequestView.Of(request, time.GetUtcNow()) : Missing(id);

    /// <summary>
    /// Cancels a pending request (<see cref="DecisionService.CancelAsync"/>): its poller gets access_denied, a ping client is
    /// pinged and a push client gets the access_denied push; the audit trail records it as cancelled, by whom and why.
    /// </summary>
    public async Task<ProtocolResult<AdminRequestView>> CancelAsync(string id, string? reason, AdminCaller caller, CancellationToken cancellationToken)
    {
        if (reason is { Length: > MaxReasonLength } || reason?.Any(char.IsControl) == true)
        {
            return AdminErrors.InvalidRequest($"reason must be at most {MaxReasonLength} characters, without control characters.");
        }

        var detail = string.IsNullOrWhiteSpace(reason) ? $"by {caller.ClientId}" : $"by {caller.ClientId}: {reason}";
        return await decisions.CancelAsync(id, detail, cancellationToken) switch
        {
            DecisionOutcome.Decided => await ReadAsync(id, cancellationToken),
            DecisionOutcome.NotFound => Missing(id),
            DecisionOutcome.Expired => AdminErrors.Conflicting("The request expired; only a pending request can be cancelled."),
            _ => AdminErrors.Conflicting("The request was already decided (or failed); only a pending request can be cancelled."),
        };
    }

    /// <summary>
    /// The request's events in the order they happened, after the cursor's position. What this node has published is
    /// written to the store first, so that a caller sees its own changes at once (other nodes' within their flush interval).
    /// </summary>
    public async Task<ProtocolResult<Page<AdminRequestEventView>>> EventsAsync(string id, string? after, int limit, CancellationToken cancellationToken)
    {
        AuditPosition? position = null;
        if (after is not null)
        {
            if (AuditPosition.FromKey(after) is not { } parsed)
            {
                return AdminErrors.InvalidRequest("cursor is not one this API gave (take it from the next link of a page).");
            }

            position = parsed;
        }

        await trail.FlushAsync(cancellationToken);
        var events = await audit.ListForRequestAsync(id, position, limit + 1, cancellationToken);
        if (events.Count == 0 && position is null && await requests.FindAsync(id, cancellationToken) is null)
        {
            return Missing(id);
        }

        return AdminPaging.PageOf(events, limit, e => AdminRequestEventView.Of(e.Event), e => AuditPosition.Of(e).Key());
    }

    private static ProtocolError Missing(string id) => AdminErrors.Missing($"request '{id}'");
}
