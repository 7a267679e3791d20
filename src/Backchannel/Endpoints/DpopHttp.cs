using Backchannel.Domain;
using Backchannel.Protocol;
using Backchannel.Security;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Backchannel.Endpoints;

/// <summary>The DPoP header of a request, checked (RFC 9449), and DPoP's parts of the answers: the DPoP-Nonce header and challenge.</summary>
internal static class DpopHttp
{
    public const string NonceHeader = "DPoP-Nonce";

    /// <summary>The scheme of a DPoP-bound access token in the Authorization header (RFC 9449 7.1).</summary>
    public const string Scheme = "DPoP";

    /// <summary>
    /// The key the request's DPoP proof proved, for a request of <paramref name="client"/> to <paramref name="url"/>: null
    /// without a DPoP header (unless the client registered dpop_bound_access_tokens and <paramref name="required"/>), an
    /// error for a header that does not pass. A request without the header costs nothing.
    /// </summary>
    public static async ValueTask<ProtocolResult<string?>> ProvedKeyAsync(HttpContext context, string url, Client client, bool required)
    {
        var header = context.Request.Headers[DpopProofValidator.HeaderName];
        if (header.Count == 0)
        {
            return required && client.DpopBoundAccessTokens
                ? new ProtocolError(ErrorCodes.InvalidDpopProof,
                    "The client registered dpop_bound_access_tokens: this request needs a DPoP proof (the DPoP header).")
                : ProtocolResult<string?>.Ok(null);
        }

        var proof = await context.RequestServices.GetRequiredService<DpopProofVerifier>()
            .VerifyAsync(header, context.Request.Method, url, null, client.ClientId, context.RequestAborted);
        return proof.Succeeded ? ProtocolResult<string?>.Ok(proof.Value.KeyThumbprint) : proof.Error;
    }

    /// <summary>The token of an <c>Authorization: DPoP</c> header, if any.</summary>
    public static string? Token(HttpRequest request) => ProtocolHttp.AuthorizationToken(request, Scheme);

    /// <summary>Adds a fresh DPoP-Nonce header when <paramref name="error"/> asks the client to use one.</summary>
    public static void AddNonceIfAsked(HttpContext context, ProtocolError error)
    {
        if (error.Error == ErrorCodes.UseDpopNonce)
        {
            context.Response.Headers[NonceHeader] = context.RequestServices.GetRequiredService<DpopProofVerifier>().IssueNonce();
        }
    }

    /// <summary>The DPoP challenge of a resource (RFC 9449 7.1), with the accepted algorithms.</summary>
    public static string Challenge(HttpContext context, ProtocolError error)
    {
        var algorithms = string.Join(' ', context.RequestServices.GetRequiredService<DpopProofVerifier>().Algorithms);
        return $"{Scheme} error=\"{error.Error}\", error_description=\"{ErrorDescriptions.Sanitize(error.Description)}\", algs=\"{algorithms}\"";
    }
}
