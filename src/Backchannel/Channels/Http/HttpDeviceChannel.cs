using System.Net.Http.Headers;
using System.Text.Json;
using Backchannel.Abstractions;
using Backchannel.Delivery;
using Backchannel.Protocol;
using Microsoft.Extensions.DependencyInjection;

namespace Backchannel.Channels.Http;

/// <summary>
/// An external HTTP device service (DESIGN.md): POST {Url} with the request's details and a callback token,
/// <c>Authorization: Bearer {Token}</c>. The service answers later at /ciba/callback with the callback token.
/// </summary>
public sealed class HttpDeviceChannel(ChannelInstanceSettings settings, IHttpClientFactory httpClients, CallbackTokens callbackTokens)
    : IAuthenticationDeviceChannel
{
    public const string HttpClientName = "Backchannel.DeviceService";

    /// <summary>The <c>http</c> channel type.</summary>
    public static ChannelType Type { get; } = new(ChannelType.Http,
        (services, instance) => new HttpDeviceChannel(instance, services.GetRequiredService<IHttpClientFactory>(), services.GetRequiredService<CallbackTokens>()),
        instance => Uri.TryCreate(instance.Url, UriKind.Absolute, out var url) && (url.Scheme == Uri.UriSchemeHttp || url.Scheme == Uri.UriSchemeHttps)
            ? []
            : ["Url must be the device service's absolute http(s) URL (the channel is in use)."]);

    public async Task<DeliveryResult> NotifyAsync(DeviceNotification notification, CancellationToken cancellationToken)
    {
        var request = notification.Request;
        var body = new DeviceNotificationBody
        {
            TransactionId = request.Id,
            CallbackUrl = callbackTokens.CallbackUrl,
            CallbackToken = callbackTokens.Issue(request),
            Subject = request.Subject,
            LoginHint = request.LoginHint,
            ClientId = request.ClientId,
            ClientName = notification.ClientName,
            Scope = request.Scope,
            AcrValues = request.AcrValues,
            BindingMessage = request.BindingMessage,
            AuthorizationDetails = request.AuthorizationDetails is { } details ? JsonDocument.Parse(details).RootElement : null,
            ExpiresAt = request.ExpiresAt.ToUnixTimeSeconds(),
        };

        using var message = new HttpRequestMessage(HttpMethod.Post, settings.Url)
        {
            Content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(body, ProtocolJsonContext.Default.DeviceNotificationBody)),
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
