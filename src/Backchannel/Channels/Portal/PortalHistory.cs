using System.Buffers.Text;
using System.Globalization;
using System.Text;
using Backchannel.Abstractions;
using Backchannel.Clients;
using Backchannel.Events;
using Backchannel.Protocol;

namespace Backchannel.Channels.Portal;

/// <summary>
/// A signed-in user's own history (<c>GET /device/history</c>): the audit trail's events of their requests, newest
/// first, a page at a time, with the clients' names. The trail holds no binding_message text, secret or token, so
/// neither does the history. The subject is the local one the portal session names (never a client's pairwise one).
/// </summary>
public sealed class PortalHistory(IAuditStore audit, AuditTrailWriter trail, ClientCatalog clients)
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 200;
    private const int MaxCursorLength = 64;

    /// <summary>
    /// The page of <paramref name="subject"/>'s events before <paramref name="cursor"/> (null: the newest), at most
    /// <paramref name="limit"/> (null: <see cref="DefaultLimit"/>; more than <see cref="MaxLimit"/> is capped); invalid_request
    /// for a limit or cursor that is not one. What this node recorded is written to the store first.
    /// </summary>
    public async Task<ProtocolResult<PortalHistoryPage>> PageAsync(string subject, string? cursor, string? limit, CancellationToken cancellationToken)
    {
        var size = DefaultLimit;
        if (limit is not null)
        {
            if (!int.TryParse(limit, NumberStyles.None, CultureInfo.InvariantCulture, out size) || size < 1)
            {
                return ProtocolError.InvalidRequest($"limit must be a whole number from 1 (at most {MaxLimit} are returned).");
            }

            size = Math.Min(size, MaxLimit);
        }

        AuditPosition? before = null;
        if (cursor is not null)
        {
            if (Position(cursor) is not { } position)
            {
                return ProtocolError.InvalidRequest("cursor is not one this page gave (take it from its link to older events).");
            }

            before = position;
        }

        await trail.FlushAsync(cancellationToken);
        var events = await audit.ListForSubjectAsync(subject, before, size + 1, cancellationToken);
        var entries = new List<PortalHistoryEntry>(Math.Min(events.Count, size));
        var names = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var recorded in events.Take(size))
        {
            var e = recorded.Event;
            if (!names.TryGetValue(e.ClientId, out var name))
            {
                name = (await clients.FindAsync(e.ClientId, cancellationToken))?.ClientName;
                names[e.ClientId] = name;
            }

            entries.Add(PortalHistoryEntry.Of(e, name));
        }

        return new PortalHistoryPage(entries, size, events.Count > size ? Cursor(AuditPosition.Of(events[size - 1])) : null);
    }

    private static string Cursor(AuditPosition position) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(position.Key()));

    private static AuditPosition? Position(string cursor)
    {
        if (cursor.Length is 0 or > MaxCursorLength || !cursor.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
        {
            return null;
        }

        try
        {
            return AuditPosition.FromKey(Encoding.UTF8.GetString(Base64Url.DecodeFromChars(cursor)));
        }
        catch (FormatException)
        {
            return null;
        }
    }
}

/// <summary>A page of a user's history: its entries (newest first), its size, and the cursor of the next (older) page, if any.</summary>
public sealed record PortalHistoryPage(IReadOnlyList<PortalHistoryEntry> Entries, int Limit, string? NextCursor);
