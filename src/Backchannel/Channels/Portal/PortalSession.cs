using System.Security.Claims;
using Backchannel.Domain;

namespace Backchannel.Channels.Portal;

/// <summary>
/// The portal's signed-in session: an ASP.NET Core cookie-authentication scheme of its own (its cookie is HttpOnly,
/// SameSite=Lax, Secure on https, scoped to the portal's path, protected by the Data Protection key ring every node
/// shares), holding the user's subject and name.
/// </summary>
public static class PortalSession
{
    public const string Scheme = "Backchannel.Portal";

    public const string CookieName = "backchannel.portal";

    private const string SubjectClaim = "sub";
    private const string NameClaim = "name";

    public static ClaimsPrincipal Principal(User user) => new(new ClaimsIdentity(
        [new Claim(SubjectClaim, user.Subject), new Claim(NameClaim, user.Name ?? user.Username ?? user.Email ?? user.Subject)],
        Scheme, NameClaim, null));

    /// <summary>The signed-in user's subject, or null.</summary>
    public static string? Subject(ClaimsPrincipal? principal) =>
        principal?.Identity?.IsAuthenticated == true ? principal.FindFirstValue(SubjectClaim) : null;

    public static string Name(ClaimsPrincipal principal) => principal.FindFirstValue(NameClaim) ?? Subject(principal) ?? string.Empty;
}
