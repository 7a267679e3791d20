using Backchannel.Clients;
using Backchannel.Protocol;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Backchannel.Endpoints;

/// <summary>POST /register: dynamic client registration (RFC 7591), mapped when <c>Registration:Enabled</c>.</summary>
internal static class ClientRegistrationEndpoint
{
    public static async Task HandleAsync(HttpContext context)
    {
        var registration = context.RequestServices.GetRequiredService<ClientRegistrationService>();
        var token = ProtocolHttp.BearerToken(context.Request);
        if (registration.CheckInitialAccessToken(token) is { } refused)
        {
            await ProtocolHttp.WriteBearerErrorAsync(context, refused, token);
            return;
        }

        var metadata = await ReadMetadataAsync(context);
        if (!metadata.Succeeded)
        {
            await ProtocolHttp.WriteErrorAsync(context, metadata.Error);
            return;
        }

        var result = await registration.RegisterAsync(metadata.Value, context.RequestAborted);
        if (!result.Succeeded)
        {
            await ProtocolHttp.WriteErrorAsync(context, result.Error);
            return;
        }

        context.Response.StatusCode = StatusCodes.Status201Created;
        await ProtocolHttp.WriteJsonAsync(context, result.Value, ProtocolJsonContext.Default.ClientInformationResponse);
    }

    /// <summary>The client metadata of a registration or update request: a bounded JSON body.</summary>
    internal static async ValueTask<ProtocolResult<ClientMetadata>> ReadMetadataAsync(HttpContext context)
    {
        var body = await ProtocolHttp.ReadJsonBodyAsync(context, EndpointLimits.Registration);
        return body.Succeeded ? ClientMetadataJson.Parse(body.Value) : body.Error;
    }
}
