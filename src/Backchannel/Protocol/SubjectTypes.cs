namespace Backchannel.Protocol;

/// <summary>The subject identifier types a client may register (OpenID Connect Core 8).</summary>
public static class SubjectTypes
{
    /// <summary>Every client sees the same sub: the user's own.</summary>
    public const string Public = "public";

    /// <summary>Each sector sees its own sub for a user, unrelated to the others'.</summary>
    public const string Pairwise = "pairwise";

    public static readonly IReadOnlyList<string> Supported = [Public, Pairwise];
}
