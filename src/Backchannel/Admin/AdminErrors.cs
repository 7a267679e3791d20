using Backchannel.Protocol;

namespace Backchannel.Admin;

/// <summary>The admin API's errors, as <c>{"error", "error_description"}</c> with their HTTP status.</summary>
public static class AdminErrors
{
    public const string NotFound = "not_found";
    public const string Conflict = "conflict";
    public const string PreconditionFailed = "precondition_failed";

    public static ProtocolError Missing(string what) => new(NotFound, $"There is no {what}.", 404);

    public static ProtocolError Conflicting(string description) => new(Conflict, description, 409);

    public static ProtocolError ChangedSince(string what) =>
        new(PreconditionFailed, $"The {what} changed since the ETag given in If-Match was read; read it again.", 412);

    public static ProtocolError InvalidRequest(string description) => ProtocolError.InvalidRequest(description);
}
