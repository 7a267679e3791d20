using Microsoft.AspNetCore.Http;

namespace Backchannel.Abstractions;

/// <summary>
/// Who is signed in on an HTTP request through a session of the provider's own (the portal's sign-in cookie), for the
/// endpoints where users manage their app devices. Without an implementation registered, those endpoints accept only an
/// <c>id_token_hint</c>. An implementation must only report a session that the request proves (a cookie set by the
/// provider, with the anti-forgery rules of the session's kind).
/// </summary>
public interface ISignedInUserReader
{
    /// <summary>The subject of the user signed in on <paramref name="context"/>; null when nobody is.</summary>
    ValueTask<string?> FindSubjectAsync(HttpContext context, CancellationToken cancellationToken);
}
