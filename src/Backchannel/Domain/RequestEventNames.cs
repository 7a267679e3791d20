namespace Backchannel.Domain;

/// <summary>
/// The names of <see cref="RequestEventKind"/> in the audit trail's store and in the admin API: stable words, so that a
/// stored trail reads the same whatever order the enumeration has.
/// </summary>
public static class RequestEventNames
{
    public const string Requested = "requested";
    public const string Notified = "notified";
    public const string Viewed = "viewed";
    public const string Decided = "decided";
    public const string Failed = "failed";
    public const string Redeemed = "redeemed";
    public const string Expired = "expired";
    public const string Cancelled = "cancelled";

    public static string Of(RequestEventKind kind) => kind switch
    {
        RequestEventKind.Created => Requested,
        RequestEventKind.Notified => Notified,
        RequestEventKind.Viewed => Viewed,
        RequestEventKind.Decided => Decided,
        RequestEventKind.Failed => Failed,
        RequestEventKind.Redeemed => Redeemed,
        RequestEventKind.Expired => Expired,
        RequestEventKind.Cancelled => Cancelled,
        _ => kind.ToString().ToLowerInvariant(),
    };

    /// <summary>The kind a stored name stands for; false for a name this version does not know (a newer version wrote it).</summary>
    public static bool TryParse(string name, out RequestEventKind kind)
    {
        foreach (var candidate in Enum.GetValues<RequestEventKind>())
        {
            if (Of(candidate) == name)
            {
                kind = candidate;
                return true;
            }
        }

        kind = default;
        return false;
    }
}
