namespace Backchannel.Endpoints;

/// <summary>The most bytes each endpoint reads from a request body (counted as they arrive, before the client is authenticated).</summary>
internal static class EndpointLimits
{
    /// <summary>/bc-authorize: a signed request object with authorization_details fits well within this.</summary>
    public const long BackchannelAuthentication = 64 * 1024;

    public const long Token = 16 * 1024;

    public const long UserInfo = 8 * 1024;

    public const long DeviceCallback = 16 * 1024;

    /// <summary>The app channel's device registrations (a public key, a name, a push token, an ID token).</summary>
    public const long DeviceRegistration = 16 * 1024;

    /// <summary>The app channel's decision JWTs.</summary>
    public const long DeviceDecision = 8 * 1024;
}
