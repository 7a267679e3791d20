using Backchannel.Protocol;

namespace Backchannel.Channels.App;

/// <summary>The paths of one device's endpoints (relative to the issuer); the device JWTs name their absolute URLs as <c>aud</c>.</summary>
public static class AppDevicePaths
{
    public static string Device(string deviceId) => $"{EndpointPaths.AppDevices}/{Uri.EscapeDataString(deviceId)}";

    public static string Requests(string deviceId) => Device(deviceId) + "/requests";

    public static string Decisions(string deviceId) => Device(deviceId) + "/decisions";
}
