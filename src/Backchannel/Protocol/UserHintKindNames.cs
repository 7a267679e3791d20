namespace Backchannel.Protocol;

/// <summary>The name of a hint's kind as the audit trail records it (the enum member's name, without Enum.ToString's lookup).</summary>
public static class UserHintKindNames
{
    public static string Of(UserHintKind kind) => kind switch
    {
        UserHintKind.LoginHint => nameof(UserHintKind.LoginHint),
        UserHintKind.LoginHintToken => nameof(UserHintKind.LoginHintToken),
        UserHintKind.IdTokenHint => nameof(UserHintKind.IdTokenHint),
        _ => kind.ToString(),
    };
}
