namespace Backchannel.Protocol;

public static class GrantTypes
{
    public const string Ciba = "urn:openid:params:grant-type:ciba";
    public const string RefreshToken = "refresh_token";

    public static readonly IReadOnlyList<string> Supported = [Ciba, RefreshToken];
}
