using System.Text.Json;
using Backchannel.Abstractions;
using Backchannel.Security;
using Backchannel.Protocol;
using Backchannel.Users;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Backchannel.Endpoints;

/// <summary>
/// GET or POST /userinfo (OpenID Connect Core 5.3). A DPoP-bound access token comes as <c>Authorization: DPoP</c> with a
/// proof of its key (RFC 9449 7); a bearer token as <c>Authorization: Bearer</c> or in the form.
/// </summary>
internal static class UserInfoEndpoint
{
    /// <summary>Who a proof at this resource is audited as: the client is not known before the token is validated.</summary>
    private const string ResourceCaller = "(userinfo)";

    public static async Task HandleAsync(HttpContext context)
    {
        var dpopToken = DpopHttp.Token(context.Request);
        var token = dpopToken ?? ProtocolHttp.BearerToken(context.Request);
        if (token is null && HttpMethods.IsPost(context.Request.Method) && context.Request.ContentType is not null)
        {
            // RFC 6750 2.2: the token may come in a form body instead.
            var form = await ProtocolHttp.ReadFormAsync(context, EndpointLimits.UserInfo);
            if (!form.Succeeded)
            {
                await ProtocolHttp.WriteErrorAsync(context, form.Error);
                return;
            }

            token = form.Value[Parameters.AccessToken];
        }

        string? provedKey = null;
        if (!string.IsNullOrEmpty(dpopToken))
        {
            var url = MtlsHttp.EndpointUrl(context, context.RequestServices.GetRequiredService<ProviderUrls>().Endpoint(EndpointPaths.UserInfo), EndpointPaths.UserInfo);
            var proof = await context.RequestServices.GetRequiredService<DpopProofVerifier>().VerifyAsync(
                context.Request.Headers[DpopProofValidator.HeaderName], context.Request.Method, url, dpopToken, ResourceCaller, context.RequestAborted);
            if (!proof.Succeeded)
            {
                var error = proof.Error with { StatusCode = StatusCodes.Status401Unauthorized };
                DpopHttp.AddNonceIfAsked(context, error);
                await ProtocolHttp.WriteErrorAsync(context, error, DpopHttp.Challenge(context, error));
                return;
            }

            provedKey = proof.Value.KeyThumbprint;
        }

        // A certificate-bound token (RFC 8705 3) is compared with the certificate of this connection.
        var certificate = MtlsHttp.Certificate(context);
        var result = await context.RequestServices.GetRequiredService<UserInfoHandler>().HandleAsync(token, provedKey, context.RequestAborted,
            certificate is null ? null : CertificateThumbprint.Sha256(certificate));
        if (!result.Succeeded)
        {
            // A request without any token is told that one is needed, without an error code in the challenge (RFC 6750 3.1);
            // a DPoP request, or a DPoP-bound token sent as a bearer token, gets the DPoP challenge.
            var challenge = string.IsNullOrEmpty(token) ? ProtocolHttp.BearerChallengeWithoutError
                : dpopToken is not null || ReferenceEquals(result.Error, UserInfoHandler.BoundTokenSentAsBearer) || result.Error.Error == ErrorCodes.InvalidDpopProof
                    ? DpopHttp.Challenge(context, result.Error)
                    : ProtocolHttp.BearerChallenge(result.Error);
            await ProtocolHttp.WriteErrorAsync(context, result.Error, challenge);
            return;
        }

        ProtocolHttp.SetNoStore(context.Response);
        context.Response.ContentType = "application/json";
        await using var writer = new Utf8JsonWriter(context.Response.BodyWriter);
        WriteObject(writer, result.Value);
        await writer.FlushAsync(context.RequestAborted);
    }

    private static void WriteObject(Utf8JsonWriter writer, IReadOnlyDictionary<string, object> claims)
    {
        writer.WriteStartObject();
        foreach (var (name, value) in claims)
        {
            writer.WritePropertyName(name);
            switch (value)
            {
                case bool flag:
                    writer.WriteBooleanValue(flag);
                    break;
                case IReadOnlyDictionary<string, object> nested:
                    WriteObject(writer, nested);
                    break;
                default:
                    writer.WriteStringValue(value.ToString());
                    break;
            }
        }

        writer.WriteEndObject();
    }
}
