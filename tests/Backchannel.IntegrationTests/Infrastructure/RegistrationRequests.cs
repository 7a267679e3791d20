using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Backchannel.IntegrationTests.Infrastructure;

/// <summary>Raw JSON requests to /register and /register/{client_id} (RFC 7591, 7592), bodies exactly as written.</summary>
internal static class RegistrationRequests
{
    public static Task<(HttpResponseMessage Response, JsonElement Body)> RegisterAsync(HttpClient http, JsonNode metadata, string? initialAccessToken) =>
        SendAsync(http, HttpMethod.Post, "/register", initialAccessToken, metadata.ToJsonString());

    public static async Task<(HttpResponseMessage Response, JsonElement Body)> SendAsync(HttpClient http, HttpMethod method, string uri,
        string? bearerToken, string? json = null)
    {
        using var request = new HttpRequestMessage(method, uri);
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        if (bearerToken is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearerToken);
        }

        var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone());
    }

    /// <summary>A registered client's credentials, as its registration answered them.</summary>
    public static (string ClientId, string? Secret, string Token, string Uri) Credentials(JsonElement registered) => (
        registered.GetProperty("client_id").GetString()!,
        registered.TryGetProperty("client_secret", out var secret) ? secret.GetString() : null,
        registered.GetProperty("registration_access_token").GetString()!,
        registered.GetProperty("registration_client_uri").GetString()!);

    /// <summary>A client's response members turned back into a PUT body: everything but the provider's own members.</summary>
    public static JsonObject UpdateBody(JsonElement registered)
    {
        var body = JsonNode.Parse(registered.GetRawText())!.AsObject();
        foreach (var member in new[] { "client_secret", "registration_access_token", "registration_client_uri", "client_id_issued_at", "client_secret_expires_at" })
        {
            body.Remove(member);
        }

        return body;
    }
}
