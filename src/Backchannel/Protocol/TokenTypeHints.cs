namespace Backchannel.Protocol;

/// <summary>The token types of revocation (RFC 7009 2.1) and introspection (RFC 7662 2.1).</summary>
public static class TokenTypeHints
{
    public const string AccessToken = "access_token";
    public const string RefreshToken = "refresh_token";

    /// <summary>
    /// Which kind of token this provider issued <paramref name="token"/> would be, by its form: access tokens are JWTs
    /// (three dot-separated parts), refresh tokens base64url without dots. So a hint is never needed to find a token.
    /// </summary>
    public static string Of(string token) => token.Contains('.', StringComparison.Ordinal) ? AccessToken : RefreshToken;
}
