using Backchannel.Abstractions;

namespace Backchannel.Channels.Portal;

/// <summary>The paths of the portal and the e-mail confirmation page, under the issuer's path (<see cref="ProviderUrls.BasePath"/>).</summary>
public sealed class PortalPaths(ProviderUrls urls)
{
    /// <summary>The portal's routes, relative to the issuer.</summary>
    public const string Home = "/device";
    public const string SignInRoute = "/device/signin";
    public const string SignOutRoute = "/device/signout";
    public const string EventsRoute = "/device/events";
    public const string DecisionRoute = "/device/requests/{id}";
    public const string AssetRoute = "/device/assets/{name}";
    public const string EmailRoute = "/device/email/{token}";
    public const string HistoryRoute = "/device/history";
    public const string DeviceRemovalRoute = "/device/devices/{id}/remove";

    public string BasePath { get; } = urls.BasePath;

    /// <summary>
    /// Where the portal's session cookie is sent: the issuer's path, so that it reaches the portal, the e-mail page and
    /// the app channel's device endpoints (<c>/ciba/devices</c>), where a signed-in user manages their devices.
    /// </summary>
    public string CookiePath => BasePath.Length == 0 ? "/" : BasePath;

    public string Portal => BasePath + Home;

    public string SignIn => BasePath + SignInRoute;

    public string SignOut => BasePath + SignOutRoute;

    public string Events => BasePath + EventsRoute;

    public string History => BasePath + HistoryRoute;

    /// <summary>A page of the history: older than <paramref name="cursor"/>, <paramref name="limit"/> events (null: the defaults).</summary>
    public string HistoryPage(string? cursor, int? limit) => History + Query(cursor, limit);

    /// <summary>The absolute URL of a page of the history, as its JSON form links it.</summary>
    public string HistoryPageUrl(string? cursor, int? limit) => urls.Issuer + HistoryRoute + Query(cursor, limit);

    public string DeviceRemoval(string deviceId) => BasePath + "/device/devices/" + Uri.EscapeDataString(deviceId) + "/remove";

    public string Asset(string name) => BasePath + "/device/assets/" + name;

    public string Decision(string requestId) => BasePath + "/device/requests/" + Uri.EscapeDataString(requestId);

    public string Email(string token) => BasePath + "/device/email/" + Uri.EscapeDataString(token);

    /// <summary>The e-mail page's absolute URL, as a mail carries it.</summary>
    public string EmailLink(string token) => urls.Issuer + "/device/email/" + Uri.EscapeDataString(token);

    /// <summary>The audience of e-mail link tokens: the page's URL without the token.</summary>
    public string EmailAudience => urls.Issuer + "/device/email";

    private static string Query(string? cursor, int? limit)
    {
        var parts = new List<string>(2);
        if (limit is { } size)
        {
            parts.Add("limit=" + size.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        if (cursor is not null)
        {
            parts.Add("cursor=" + Uri.EscapeDataString(cursor));
        }

        return parts.Count == 0 ? string.Empty : "?" + string.Join('&', parts);
    }

    public string SignInReturningTo(string path) => SignIn + "?returnUrl=" + Uri.EscapeDataString(path);

    /// <summary>Whether <paramref name="returnUrl"/> is a path of the portal or the e-mail page (never another site: no scheme, no "//").</summary>
    public bool IsLocal(string? returnUrl) =>
        returnUrl is { Length: > 0 and <= 4096 } && returnUrl.StartsWith(Portal, StringComparison.Ordinal)
        && !returnUrl.StartsWith("//", StringComparison.Ordinal) && !returnUrl.Contains('\\') && !returnUrl.Contains("/..", StringComparison.Ordinal)
        && (returnUrl.Length == Portal.Length || returnUrl[Portal.Length] is '/' or '?');
}
