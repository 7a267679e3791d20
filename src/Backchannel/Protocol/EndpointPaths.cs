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

    // Token revocation (RFC 7009) and introspection (RFC 7662).
    public const string Revocation = "/revoke";
    public const string Introspection = "/introspect";

    /// <summary>The admin API's prefix (docs/admin-api.md).</summary>
    public const string Admin = "/admin";

    /// <summary>The app channel: Gluu's device registration form.</summary>
    public const string DeviceRegistration = "/bc-deviceRegistration";

    /// <summary>The app channel: a user's devices (<c>/ciba/devices/{id}/requests</c>, <c>/ciba/devices/{id}/decisions</c> below it).</summary>
    public const string AppDevices = "/ciba/devices";

    public const string HealthLive = "/health/live";
    public const string HealthReady = "/health/ready";
    public const string Metrics = "/metrics";

    /// <summary>Dynamic client registration (RFC 7591); a client's configuration endpoint (RFC 7592) is under it.</summary>
    public const string Registration = "/register";

    /// <summary>The client configuration endpoint's route (RFC 7592).</summary>
    public const string RegisteredClient = Registration + "/{client_id}";

    /// <summary>The path of a registered client's configuration endpoint.</summary>
    public static string RegisteredClientPath(string clientId) => Registration + "/" + Uri.EscapeDataString(clientId);
}
