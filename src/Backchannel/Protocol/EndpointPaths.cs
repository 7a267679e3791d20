namespace Backchannel.Protocol;

/// <summary>The paths of the provider's endpoints, relative to the issuer (the protocol surface of DESIGN.md).</summary>
public static class EndpointPaths
{
    public const string Discovery = "/.well-known/openid-configuration";
    public const string Jwks = "/jwks";
    public const string BackchannelAuthentication = "/bc-authorize";
    public const string Token = "/token";
    public const string UserInfo = "/userinfo";
    public const string DeviceCallback = "/ciba/callback";

    /// <summary>The admin API's prefix (docs/admin-api.md).</summary>
    public const string Admin = "/admin";
    public const string HealthLive = "/health/live";
    public const string HealthReady = "/health/ready";
    public const string Metrics = "/metrics";
}
