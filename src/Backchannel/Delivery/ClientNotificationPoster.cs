using System.Net.Http.Headers;

namespace Backchannel.Delivery;

/// <summary>
/// POSTs a ping or push to a client's notification endpoint with <c>Authorization: Bearer {client_notification_token}</c>,
/// through the HTTP client that refuses redirects and private addresses (unless allowed).
/// </summary>
public sealed class ClientNotificationPoster(IHttpClientFactory httpClients)
{
    public const string HttpClientName = "Backchannel.ClientNotifications";

    public async Task<DeliveryResult> PostAsync(Uri endpoint, string bearerToken, byte[] json, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, endpoint) { Content = new ByteArrayContent(json) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearerToken);
        using var response = await httpClients.CreateClient(HttpClientName).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        return DeliveryResult.FromResponse(response);
    }
}
