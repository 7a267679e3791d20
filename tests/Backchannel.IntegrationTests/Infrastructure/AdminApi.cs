using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Duende.IdentityModel.Client;

namespace Backchannel.IntegrationTests.Infrastructure;

/// <summary>The operator clients the admin tests configure.</summary>
internal static class AdminClients
{
    /// <summary>Has the client_credentials grant and lists the scope backchannel:admin.</summary>
    public const string Admin = "admin-cli";
    public const string AdminSecret = "admin-cli-secret-0123456789";

    /// <summary>Has the client_credentials grant but lists only user scopes.</summary>
    public const string Reader = "ops-reader";
    public const string ReaderSecret = "ops-reader-secret-0123456789";

    public static Dictionary<string, string?> Settings() => new()
    {
        ["Backchannel:Clients:8:client_id"] = Admin,
        ["Backchannel:Clients:8:client_secret"] = AdminSecret,
        ["Backchannel:Clients:8:grant_types:0"] = "client_credentials",
        ["Backchannel:Clients:8:scope"] = "backchannel:admin",
        ["Backchannel:Clients:9:client_id"] = Reader,
        ["Backchannel:Clients:9:client_secret"] = ReaderSecret,
        ["Backchannel:Clients:9:grant_types:0"] = "client_credentials",
        ["Backchannel:Clients:9:scope"] = "openid profile",

        // Open registration, the worst case for the admin scope: nobody may register it.
        ["Backchannel:Registration:Enabled"] = "true",
    };
}

/// <summary>A provider with the ping and push test clients (one notification receiver) and the operator clients.</summary>
public sealed class SharedAdminProvider : SharedNotifyingProvider
{
    protected override Dictionary<string, string?> Settings()
    {
        var settings = base.Settings();
        foreach (var (key, value) in AdminClients.Settings())
        {
            settings[key] = value;
        }

        return settings;
    }
}

/// <summary>An admin API answer: its status, headers and JSON body.</summary>
internal sealed record AdminResponse(HttpResponseMessage Response, JsonElement Body)
{
    public HttpStatusCode Status => Response.StatusCode;

    public string? ETag => Response.Headers.ETag?.ToString();

    public string Error => Body.GetProperty("error").GetString()!;

    public string Description => Body.GetProperty("error_description").GetString()!;

    public string? Next => Body.GetProperty("next").GetString();

    public IReadOnlyList<JsonElement> Items => Body.GetProperty("items").EnumerateArray().ToList();
}

/// <summary>A caller of the admin API over loopback, with an access token from the client_credentials grant.</summary>
internal sealed class AdminApi(TestProvider provider, string accessToken)
{
    public string AccessToken => accessToken;

    /// <summary>Gets a token with the scope backchannel:admin for the admin test client.</summary>
    public static async Task<AdminApi> ConnectAsync(TestProvider provider, string clientId = AdminClients.Admin, string secret = AdminClients.AdminSecret) =>
        new(provider, await TokenAsync(provider, clientId, secret));

    public static async Task<string> TokenAsync(TestProvider provider, string clientId = AdminClients.Admin, string secret = AdminClients.AdminSecret)
    {
        var token = await provider.Http.RequestClientCredentialsTokenAsync(new ClientCredentialsTokenRequest
        {
            Address = provider.TokenEndpoint,
            ClientId = clientId,
            ClientSecret = secret,
            Scope = "backchannel:admin",
        });
        Assert.False(token.IsError, token.Error + " " + token.ErrorDescription);
        return token.AccessToken!;
    }

    public Task<AdminResponse> GetAsync(string pathOrUrl) => SendAsync(HttpMethod.Get, pathOrUrl);

    public Task<AdminResponse> DeleteAsync(string path) => SendAsync(HttpMethod.Delete, path);

    public Task<AdminResponse> PostAsync(string path, object? body = null, string? ifMatch = null) => SendAsync(HttpMethod.Post, path, body, ifMatch);

    public Task<AdminResponse> PutAsync(string path, object body, string? ifMatch = null) => SendAsync(HttpMethod.Put, path, body, ifMatch);

    /// <summary>Sends a request; <paramref name="body"/> is serialized as JSON (a string is sent as it is); <paramref name="token"/> overrides the caller's.</summary>
    public async Task<AdminResponse> SendAsync(HttpMethod method, string pathOrUrl, object? body = null, string? ifMatch = null, string? token = null,
        bool withToken = true)
    {
        using var request = new HttpRequestMessage(method, pathOrUrl);
        if (withToken)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token ?? accessToken);
        }

        if (ifMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        }

        if (body is not null)
        {
            request.Content = new StringContent(body as string ?? JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");
        }

        var response = await provider.Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return new AdminResponse(response, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone());
    }

    /// <summary>Every item of a list, following its next links; the pages' sizes.</summary>
    public async Task<(List<JsonElement> Items, List<int> PageSizes)> AllPagesAsync(string path)
    {
        var items = new List<JsonElement>();
        var sizes = new List<int>();
        string? next = path;
        while (next is not null)
        {
            var page = await GetAsync(next);
            Assert.Equal(HttpStatusCode.OK, page.Status);
            items.AddRange(page.Items);
            sizes.Add(page.Items.Count);
            next = page.Next;
            Assert.True(sizes.Count < 100, "the next links end");
        }

        return (items, sizes);
    }
}
