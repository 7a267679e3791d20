namespace Backchannel.Protocol;

public enum UserHintKind
{
    LoginHint,
    LoginHintToken,
    IdTokenHint,
}

/// <summary>The one hint that identifies the user of a backchannel authentication request.</summary>
public readonly record struct UserHint(UserHintKind Kind, string Value);
