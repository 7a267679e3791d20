using System.Globalization;
using System.Text.Json;
using Backchannel.Abstractions;
using Backchannel.Channels.App;
using Backchannel.Protocol;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Net.Http.Headers;

namespace Backchannel.Endpoints;

/// <summary>
/// GET /ciba/devices/{id}/requests: the device's user's pending app requests, for the device that signs
/// <c>Authorization: Bearer</c> an access JWT with its key (<see cref="DeviceJwts.AccessType"/>, aud = this URL).
/// With <c>Accept: text/event-stream</c>, a stream of Server-Sent Events until that JWT expires: <c>request</c> (a
/// pending request), <c>closed</c> (a request shown before that is no longer pending) and keep-alive comments.
/// Otherwise JSON <c>{"requests": [...]}</c>, at once, or with <c>?wait=N</c> (at most 30) as soon as one is pending.
/// </summary>
internal static class AppDeviceRequestsEndpoint
{
    public static async Task HandleAsync(HttpContext context)
    {
        var stream = context.Request.Headers.Accept.Any(value => value?.Contains(ServerSentEvents.MediaType, StringComparison.OrdinalIgnoreCase) == true);
        var wait = 0;
        if (!stream && context.Request.Query["wait"] is { Count: > 0 } waitValue
            && (waitValue.Count > 1 || !int.TryParse(waitValue[0], NumberStyles.None, CultureInfo.InvariantCulture, out wait)
                || wait > AppDeviceRequests.MaxWaitSeconds))
        {
            await ProtocolHttp.WriteErrorAsync(context, ProtocolError.InvalidRequest(
                $"wait must be a whole number of seconds from 0 to {AppDeviceRequests.MaxWaitSeconds}."));
            return;
        }

        var services = context.RequestServices;
        var deviceId = AppDeviceHttp.DeviceId(context);
        var authenticated = await services.GetRequiredService<DeviceJwtAuthenticator>().AuthenticateAsync(deviceId,
            ProtocolHttp.BearerToken(context.Request), DeviceJwts.AccessType,
            services.GetRequiredService<ProviderUrls>().Endpoint(AppDevicePaths.Requests(deviceId)), requireExpiry: true, context.RequestAborted);
        if (!authenticated.Succeeded)
        {
            await ProtocolHttp.WriteErrorAsync(context, authenticated.Error, ProtocolHttp.BearerChallenge(authenticated.Error));
            return;
        }

        var requests = services.GetRequiredService<AppDeviceRequests>();
        var device = authenticated.Value.Device;
        if (!stream)
        {
            var pending = await requests.WaitForPendingAsync(device, TimeSpan.FromSeconds(wait), context.RequestAborted);
            await ProtocolHttp.WriteJsonAsync(context, new AppRequestList(pending), AppJsonContext.Default.AppRequestList);
            return;
        }

        using var watcher = requests.TryWatch(device);
        if (watcher is null)
        {
            await ProtocolHttp.WriteErrorAsync(context, new ProtocolError(ErrorCodes.TemporarilyUnavailable,
                "This server holds as many device streams as it may; poll, or try again shortly.", StatusCodes.Status503ServiceUnavailable)
            {
                RetryAfterSeconds = 5,
            });
            return;
        }

        var response = context.Response;
        response.ContentType = ServerSentEvents.MediaType;
        ProtocolHttp.SetNoStore(response);
        await ServerSentEvents.StartAsync(context);
        await response.Body.FlushAsync(context.RequestAborted);

        await foreach (var change in requests.StreamAsync(device, watcher, authenticated.Value.Jwt.AcceptedUntil, context.RequestAborted))
        {
            var text = change switch
            {
                { Request: { } request } => ServerSentEvents.Event("request", JsonSerializer.Serialize(request, AppJsonContext.Default.AppRequestView)),
                { Closed: { } closed } => ServerSentEvents.Event("closed", JsonSerializer.Serialize(closed, AppJsonContext.Default.AppRequestClosed)),
                _ => ServerSentEvents.KeepAlive,
            };
            await response.WriteAsync(text, context.RequestAborted);
            await response.Body.FlushAsync(context.RequestAborted);
        }
    }
}
