using Backchannel.Abstractions;
using Backchannel.Channels.Portal;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http;

namespace Backchannel.Endpoints;

/// <summary>
/// The portal's session as the app channel's device endpoints see it (<c>GET|POST /ciba/devices</c>,
/// <c>DELETE /ciba/devices/{id}</c>): the user the portal's cookie names, provided that a request that changes something
/// (POST, DELETE) also carries the session's anti-forgery token in the <c>RequestVerificationToken</c> header (with the
/// anti-forgery cookie), which only a page of the portal can read. A cross-site request can send the cookie (SameSite=Lax
/// stops only cross-site POSTs of browsers that honour it) but never the header token.
/// </summary>
internal sealed class PortalSignedInUserReader(IAntiforgery antiforgery) : ISignedInUserReader
{
    public async ValueTask<string?> FindSubjectAsync(HttpContext context, CancellationToken cancellationToken)
    {
        if (await PortalHttp.SignedInAsync(context) is not { } principal)
        {
            return null;
        }

        // Safe methods (GET) pass; the others need the header token bound to this session's user.
        return await antiforgery.IsRequestValidAsync(context) ? PortalSession.Subject(principal) : null;
    }
}
