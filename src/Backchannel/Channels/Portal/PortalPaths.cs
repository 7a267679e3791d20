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

    public string BasePath { get; } = urls.BasePath;

    /// <summary>Where the portal's cookies are sent: the portal and the e-mail page only.</summary>
    public string CookiePath => BasePath + Home;

    public string Portal => BasePath + Home;

    public string SignIn => BasePath + SignInRoute;

    public string SignOut => BasePath + SignOutRoute;

    public string Events => BasePath + EventsRoute;

    public string Asset(string name) => BasePath + "/device/assets/" + name;

    public string Decision(string requestId) => BasePath + "/device/requests/" + Uri.EscapeDataString(requestId);

    public string Email(string token) => BasePath + "/device/email/" + Uri.EscapeDataString(token);

    /// <summary>The e-mail page's absolute URL, as a mail carries it.</summary>
    public string EmailLink(string token) => urls.Issuer + "/device/email/" + Uri.EscapeDataString(token);

    /// <summary>The audience of e-mail link tokens: the page's URL without the token.</summary>
    public string EmailAudience => urls.Issuer + "/device/email";

    public string SignInReturningTo(string path) => SignIn + "?returnUrl=" + Uri.EscapeDataString(path);

    /// <summary>Whether <paramref name="returnUrl"/> is a path of the portal or the e-mail page (never another site: no scheme, no "//").</summary>
    public bool IsLocal(string? returnUrl) =>
        returnUrl is { Length: > 0 and <= 4096 } && returnUrl.StartsWith(Portal, StringComparison.Ordinal)
        && !returnUrl.StartsWith("//", StringComparison.Ordinal) && !returnUrl.Contains('\\') && !returnUrl.Contains("/..", StringComparison.Ordinal)
        && (returnUrl.Length == Portal.Length || returnUrl[Portal.Length] is '/' or '?');
}
