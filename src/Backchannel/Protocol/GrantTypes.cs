namespace Backchannel.Protocol;

public static class GrantTypes
{
    public const string Ciba = "urn:openid:params:grant-type:ciba";
    public const string RefreshToken = "refresh_token";

    /// <summary>RFC 6749 4.4: a token for the client itself (no user), e.g. with the scope <see cref="Scopes.Admin"/>.</summary>
    public const string ClientCredentials = "client_credentials";

    public static readonly IReadOnlyList<string> Supported = [Ciba, RefreshToken, ClientCredentials];
}
