namespace Backchannel.Endpoints;

/// <summary>The most bytes each endpoint reads from a request body (counted as they arrive, before the client is authenticated).</summary>
internal static class EndpointLimits
{
    /// <summary>/bc-authorize: a signed request object with authorization_details fits well within this.</summary>
    public const long BackchannelAuthentication = 64 * 1024;

    public const long Token = 16 * 1024;

    public const long UserInfo = 8 * 1024;

    public const long DeviceCallback = 16 * 1024;

    /// <summary>/register and /register/{client_id}: client metadata, a few inline public keys among it.</summary>
    public const long Registration = 64 * 1024;
    /// <summary>/revoke and /introspect: an access token carrying authorization_details, and a client assertion, fit well within this.</summary>
    public const long Revocation = 48 * 1024;

    public const long Introspection = 48 * 1024;
    /// <summary>/admin: a client's metadata with an inline JWK Set fits well within this.</summary>
    public const long Admin = 64 * 1024;
    /// <summary>The portal's and the e-mail page's forms (sign-in, decisions): a few short fields and an anti-forgery token.</summary>
    public const long PortalForm = 8 * 1024;
    /// <summary>The app channel's device registrations (a public key, a name, a push token, an ID token).</summary>
    public const long DeviceRegistration = 16 * 1024;

    /// <summary>The app channel's decision JWTs.</summary>
    public const long DeviceDecision = 8 * 1024;
}
