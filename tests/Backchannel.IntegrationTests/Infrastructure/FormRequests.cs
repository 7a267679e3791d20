using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Backchannel.IntegrationTests.Infrastructure;

/// <summary>Raw form posts, for requests a client library would not send.</summary>
internal static class FormRequests
{
    public static async Task<(HttpResponseMessage Response, JsonElement Body)> PostAsync(HttpClient http, string path,
        IEnumerable<KeyValuePair<string, string>> form, (string Id, string Secret)? basic = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new FormUrlEncodedContent(form) };
        if (basic is { } credentials)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic",
                Convert.ToBase64String(Encoding.UTF8.GetBytes($"{Uri.EscapeDataString(credentials.Id)}:{Uri.EscapeDataString(credentials.Secret)}")));
        }

        var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone());
    }

    public static Task<(HttpResponseMessage Response, JsonElement Body)> AuthorizeAsync(TestProvider provider, params (string Name, string Value)[] form) =>
        PostAsync(provider.Http, "/bc-authorize", form.Select(p => KeyValuePair.Create(p.Name, p.Value)), (TestClients.Poll, TestClients.PollSecret));

    public static string Error(this JsonElement body) => body.GetProperty("error").GetString()!;
}
