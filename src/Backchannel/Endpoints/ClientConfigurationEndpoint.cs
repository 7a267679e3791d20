using Backchannel.Clients;
using Backchannel.Protocol;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Backchannel.Endpoints;

/// <summary>
/// GET, PUT and DELETE /register/{client_id}: the client configuration endpoint (RFC 7592), with the client's
/// registration access token as bearer token; mapped when <c>Registration:Enabled</c>.
/// </summary>
internal static class ClientConfigurationEndpoint
{
    public const string ClientIdRouteValue = "client_id";

    public static async Task HandleAsync(HttpContext context)
    {
        var registration = context.RequestServices.GetRequiredService<ClientRegistrationService>();
        var token = ProtocolHttp.BearerToken(context.Request);
        var clientId = context.Request.RouteValues[ClientIdRouteValue] as string ?? string.Empty;
        var client = await registration.AuthorizeAsync(clientId, token, context.RequestAborted);
        if (!client.Succeeded)
        {
            await ProtocolHttp.WriteBearerErrorAsync(context, client.Error, token);
            return;
        }

        if (HttpMethods.IsGet(context.Request.Method))
        {
            await ProtocolHttp.WriteJsonAsync(context, registration.Read(client.Value, token!), ProtocolJsonContext.Default.ClientInformationResponse);
        }
        else if (HttpMethods.IsPut(context.Request.Method))
        {
            var metadata = await ClientRegistrationEndpoint.ReadMetadataAsync(context);
            var updated = metadata.Succeeded
                ? await registration.UpdateAsync(client.Value, token!, metadata.Value, context.RequestAborted)
                : metadata.Error;
            if (!updated.Succeeded)
            {
                await ProtocolHttp.WriteBearerErrorAsync(context, updated.Error, token);
                return;
            }

            await ProtocolHttp.WriteJsonAsync(context, updated.Value, ProtocolJsonContext.Default.ClientInformationResponse);
        }
        else if (await registration.DeleteAsync(client.Value, context.RequestAborted) is { } refused)
        {
            await ProtocolHttp.WriteBearerErrorAsync(context, refused, token);
        }
        else
        {
            context.Response.StatusCode = StatusCodes.Status204NoContent;
            ProtocolHttp.SetNoStore(context.Response);
        }
    }
}
