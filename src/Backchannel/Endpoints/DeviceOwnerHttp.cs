using Backchannel.Abstractions;
using Backchannel.Channels.App;
using Backchannel.Protocol;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Backchannel.Endpoints;

/// <summary>
/// Who manages app devices on a request: the user an id_token_hint names (from the body, or as <c>Authorization:
/// Bearer</c>), else the user a signed-in session names (<see cref="ISignedInUserReader"/>, when the host has one).
/// </summary>
internal static class DeviceOwnerHttp
{
    private static async Task<ProtocolResult<string>> AuthenticateAsync(HttpContext context, string? idTokenHint)
    {
        if ((idTokenHint ?? ProtocolHttp.BearerToken(context.Request)) is { Length: > 0 } hint)
        {
            return await context.RequestServices.GetRequiredService<DeviceOwnerAuthenticator>().AuthenticateAsync(hint, context.RequestAborted);
        }

        foreach (var session in context.RequestServices.GetServices<ISignedInUserReader>())
        {
            if (await session.FindSubjectAsync(context, context.RequestAborted) is { Length: > 0 } subject)
            {
                return subject;
            }
        }

        return new ProtocolError(ErrorCodes.InvalidToken,
            "Say whose devices these are: an id_token_hint (an ID token this provider issued for the user), or a signed-in portal session " +
            "(its cookie, and on a POST or DELETE its anti-forgery token in the RequestVerificationToken header).", 401);
    }

    /// <summary>The subject, as <see cref="AuthenticateAsync"/> finds it; null, with the refusal written, when there is none.</summary>
    public static async Task<string?> SubjectOrRefuseAsync(HttpContext context, string? idTokenHint)
    {
        var owner = await AuthenticateAsync(context, idTokenHint);
        if (!owner.Succeeded)
        {
            await AppDeviceHttp.WriteErrorAsync(context, owner.Error);
            return null;
        }

        return owner.Value;
    }
}
