using Backchannel.Channels.Portal;
using Backchannel.Domain;
using Backchannel.Protocol;

namespace Backchannel.Channels.Email;

/// <summary>
/// The links an e-mail carries: <c>{issuer}/device/email/{token}</c>, where the token is a JWT the provider signs naming
/// the request's transaction id (never the auth_req_id), with its own jti, expiring with the request, for the audience of
/// the e-mail page (so that it is not a callback token, nor the other way round). A link is used once: its jti is
/// recorded in the store when it decides (on every node).
/// </summary>
public sealed class EmailLinks(TransactionTokens tokens, PortalPaths paths)
{
    /// <summary>What verified a decision that came through an e-mail link.</summary>
    public const string Evidence = "email_link";

    /// <summary>The longest token a link may carry (a genuine one is far shorter).</summary>
    public const int MaxTokenLength = 2048;

    /// <summary>A new link for <paramref name="request"/>: its absolute URL.</summary>
    public string Issue(AuthenticationRequest request) =>
        paths.EmailLink(tokens.Issue(request.Id, paths.EmailAudience, request.ExpiresAt, RandomIdentifiers.NewJwtId()));

    /// <summary>What a link's token names; nothing for a token that is not one of this provider's links.</summary>
    public async Task<TransactionToken> ValidateAsync(string token, CancellationToken cancellationToken) =>
        token.Length is 0 or > MaxTokenLength ? default : await tokens.ValidateAsync(token, paths.EmailAudience, cancellationToken);

    /// <summary>The key under which a used link is recorded (<see cref="Abstractions.IReplayCache"/>).</summary>
    public static string UsedKey(string jwtId) => "email-link:" + jwtId;
}
