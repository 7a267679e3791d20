using System.Net.Http.Headers;
using Backchannel.Abstractions;
using Backchannel.Clients;
using Backchannel.Domain;
using Backchannel.Keys;

namespace Backchannel.Delivery;

/// <summary>
/// POSTs a ping or push to a client's notification endpoint with <c>Authorization: Bearer {client_notification_token}</c>,
/// through the HTTP client that refuses redirects and private addresses (unless allowed) and breaks the circuit of a
/// destination that keeps failing.
/// </summary>
public sealed class ClientNotificationPoster(
    IHttpClientFactory httpClients,
    IAuthenticationRequestStore requests,
    ClientCatalog clients,
    SecretSealer sealer)
{
    public const string HttpClientName = "Backchannel.ClientNotifications";

    /// <summary>Where and with what a notification goes: the request, its auth_req_id, the client's endpoint and bearer token.</summary>
    public async Task<(ClientNotificationTarget? Target, DeliveryResult Refusal)> ResolveAsync(OutboxWork work, CancellationToken cancellationToken)
    {
        var request = work.Request ?? await requests.FindAsync(work.Message.RequestId, cancellationToken);
        if (request is null)
        {
            return (null, new DeliveryResult(DeliveryStatus.Rejected, "the request was removed"));
        }

        if ((await clients.FindAsync(request.ClientId, cancellationToken))?.NotificationEndpoint is not { } endpoint
            || request.ClientNotificationToken is not { } bearer || request.SealedAuthReqId is not { } sealedId
            || await sealer.UnsealStringAsync(sealedId, SealingContexts.AuthReqId(request.Id), cancellationToken) is not { } authReqId)
        {
            return (null, new DeliveryResult(DeliveryStatus.Rejected, "the client, its endpoint or the request's sealed auth_req_id is gone"));
        }

        return (new ClientNotificationTarget(request, authReqId, endpoint, bearer), default);
    }

    public async Task<DeliveryResult> PostAsync(Uri endpoint, string bearerToken, byte[] json, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, endpoint) { Content = new ByteArrayContent(json) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearerToken);
        using var response = await httpClients.CreateClient(HttpClientName).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        return DeliveryResult.FromResponse(response);
    }
}

/// <summary>A resolved ping or push destination.</summary>
public sealed record ClientNotificationTarget(AuthenticationRequest Request, string AuthReqId, Uri Endpoint, string BearerToken);
