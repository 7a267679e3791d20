using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Backchannel.Abstractions;
using Microsoft.Extensions.Options;

namespace Backchannel.Channels.App;

/// <summary>
/// Sends a wake-up to one device through FCM's HTTP v1 API: <c>POST {BaseUrl}/v1/projects/{ProjectId}/messages:send</c>
/// with <c>Authorization: Bearer</c> an access token of the service account, and the message of
/// <see cref="FcmSendRequest.WakeUp"/>. A 401 makes the next attempt fetch a new access token.
/// </summary>
public sealed class FcmSender(FcmAccessTokens tokens, IHttpClientFactory httpClients, IOptions<AppChannelOptions> options)
{
    /// <summary>Whether FCM is configured (<c>Channels:App:Fcm:ServiceAccountFile</c>).</summary>
    public bool Enabled => options.Value.Fcm.Enabled;

    /// <summary>One attempt to wake the device of <paramref name="registrationToken"/>.</summary>
    public async Task<DeliveryResult> WakeAsync(string registrationToken, CancellationToken cancellationToken)
    {
        string accessToken;
        try
        {
            accessToken = await tokens.GetAsync(cancellationToken);
        }
        catch (FcmTokenException ex)
        {
            return new DeliveryResult(ex.Transient ? DeliveryStatus.RetryLater : DeliveryStatus.Rejected, "no FCM access token: " + ex.Message);
        }

        var url = $"{options.Value.Fcm.BaseUrl.TrimEnd('/')}/v1/projects/{Uri.EscapeDataString(tokens.ProjectId)}/messages:send";
        using var message = new HttpRequestMessage(HttpMethod.Post, url)
        {
            Content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(FcmSendRequest.WakeUp(registrationToken),
                AppJsonContext.Default.FcmSendRequest)),
        };
        message.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        using var response = await httpClients.CreateClient(FcmAccessTokens.HttpClientName)
            .SendAsync(message, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        if (response.StatusCode == HttpStatusCode.Unauthorized)
        {
            tokens.Invalidate(accessToken);
            return new DeliveryResult(DeliveryStatus.RetryLater, "FCM refused the access token (HTTP 401)");
        }

        return DeliveryResult.FromResponse(response);
    }
}
