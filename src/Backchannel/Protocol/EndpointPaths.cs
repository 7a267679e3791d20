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

    /// <summary>The app channel: Gluu's device registration form.</summary>
    public const string DeviceRegistration = "/bc-deviceRegistration";

    /// <summary>The app channel: a user's devices (<c>/ciba/devices/{id}/requests</c>, <c>/ciba/devices/{id}/decisions</c> below it).</summary>
    public const string AppDevices = "/ciba/devices";
    public const string HealthLive = "/health/live";
    public const string HealthReady = "/health/ready";
    public const string Metrics = "/metrics";
}
