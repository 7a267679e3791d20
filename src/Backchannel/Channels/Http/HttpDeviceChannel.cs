using System.Net.Http.Headers;
using System.Text.Json;
using Backchannel.Configuration;
using Backchannel.Delivery;
using Backchannel.Json;
using Microsoft.Extensions.Options;

namespace Backchannel.Channels.Http;

/// <summary>
/// The external HTTP device service (DESIGN.md): POST {Channels:Http:Url} with the request's details and a callback
/// token, <c>Authorization: Bearer {Channels:Http:Token}</c>. The service answers later at /ciba/callback.
/// </summary>
public sealed class HttpDeviceChannel(IHttpClientFactory httpClients, IOptions<BackchannelOptions> options) : IAuthenticationDeviceChannel
{
    public const string HttpClientName = "Backchannel.DeviceService";

    public string Name => ChannelNames.Http;

    public async Task<DeliveryResult> NotifyAsync(DeviceNotification notification, CancellationToken cancellationToken)
    {
        var settings = options.Value.Channels.Http;
        var request = notification.Request;
        var body = new DeviceNotificationBody
        {
            TransactionId = request.Id,
            CallbackUrl = notification.CallbackUrl,
            CallbackToken = notification.CallbackToken,
            Subject = request.Subject,
            LoginHint = request.LoginHint,
            ClientId = request.ClientId,
            ClientName = notification.Client?.ClientName,
            Scope = request.Scope,
            AcrValues = request.AcrValues,
            BindingMessage = request.BindingMessage,
            AuthorizationDetails = request.AuthorizationDetails is { } details ? JsonDocument.Parse(details).RootElement : null,
            ExpiresAt = request.ExpiresAt.ToUnixTimeSeconds(),
        };

        using var message = new HttpRequestMessage(HttpMethod.Post, settings.Url)
        {
            Content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(body, BackchannelJsonContext.Default.DeviceNotificationBody)),
        };
        message.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        if (!string.IsNullOrEmpty(settings.Token))
        {
            message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", settings.Token);
        }

        using var response = await httpClients.CreateClient(HttpClientName).SendAsync(message, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        return DeliveryResult.FromResponse(response);
    }
}
