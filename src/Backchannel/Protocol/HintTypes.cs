namespace Backchannel.Protocol;

/// <summary>
/// The ways a backchannel authentication request names its user, as a client lists them in the Backchannel extension
/// <c>backchannel_allowed_hint_types</c>: the names of the three hint parameters.
/// </summary>
public static class HintTypes
{
    public static readonly IReadOnlyList<string> All = [Parameters.LoginHint, Parameters.LoginHintToken, Parameters.IdTokenHint];

    /// <summary>The kind a hint type names, or null for a name that is none of the three.</summary>
    public static UserHintKind? Kind(string hintType) => hintType switch
    {
        Parameters.LoginHint => UserHintKind.LoginHint,
        Parameters.LoginHintToken => UserHintKind.LoginHintToken,
        Parameters.IdTokenHint => UserHintKind.IdTokenHint,
        _ => null,
    };

    /// <summary>The parameter name of a kind of hint.</summary>
    public static string Name(UserHintKind kind) => kind switch
    {
        UserHintKind.LoginHint => Parameters.LoginHint,
        UserHintKind.LoginHintToken => Parameters.LoginHintToken,
        _ => Parameters.IdTokenHint,
    };
}
