using Backchannel.Protocol;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Backchannel.Endpoints;

/// <summary>What the app channel's device endpoints share.</summary>
internal static class AppDeviceHttp
{
    /// <summary>The error of a device or request this caller may not see (another user's, or none at all).</summary>
    public const string NotFound = "not_found";

    /// <summary>The device id of the route <c>/ciba/devices/{id}/…</c>.</summary>
    public static string DeviceId(HttpContext context) => (string)context.GetRouteValue("id")!;

    /// <summary>Writes the protocol's error, with the bearer challenge when it is a 401.</summary>
    public static Task WriteErrorAsync(HttpContext context, ProtocolError error) =>
        ProtocolHttp.WriteErrorAsync(context, error, error.StatusCode == StatusCodes.Status401Unauthorized ? ProtocolHttp.BearerChallenge(error) : null);
}
