using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Backchannel.IntegrationTests.Infrastructure;

/// <summary>
/// A user's phone with the app: its own ES256 key pair, the JWTs it signs with it (registration, access, decision), and
/// its calls to the provider's device endpoints, as docs/channels.md describes them.
/// </summary>
internal sealed class TestAppDevice(TestProvider provider, string name = "Test phone", string? pushToken = null)
{
    private static readonly JsonWebTokenHandler Handler = new() { SetDefaultTimesOnTokenCreation = false };

    public TestKey Key { get; } = TestKey.EllipticCurve();

    public string Name { get; } = name;

    public string? PushToken { get; } = pushToken;

    /// <summary>The device's id: the RFC 7638 thumbprint of its public key.</summary>
    public string Id => Base64UrlEncoder.Encode(Key.PublicJwk.ComputeJwkThumbprint());

    public string RequestsUrl => $"{provider.Issuer}/ciba/devices/{Id}/requests";

    public string DecisionsUrl => $"{provider.Issuer}/ciba/devices/{Id}/decisions";

    /// <summary>The public key as the registration sends it.</summary>
    public Dictionary<string, object> PublicJwk => new()
    {
        ["kty"] = "EC",
        ["crv"] = "P-256",
        ["x"] = Key.PublicJwk.X,
        ["y"] = Key.PublicJwk.Y,
    };

    /// <summary>Registers with <c>POST /ciba/devices</c>.</summary>
    public Task<HttpResponseMessage> RegisterAsync(string idToken, object? jwk = null) =>
        provider.Http.PostAsJsonAsync("/ciba/devices", new Dictionary<string, object?>
        {
            ["id_token_hint"] = idToken,
            ["jwk"] = jwk ?? PublicJwk,
            ["name"] = Name,
            ["push_token"] = PushToken,
        });

    /// <summary>Registers with Gluu's form, <c>POST /bc-deviceRegistration</c>.</summary>
    public Task<HttpResponseMessage> RegisterWithGluuFormAsync(string idToken, string? registrationToken = null) =>
        provider.Http.PostAsync("/bc-deviceRegistration", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["device_registration_token"] = registrationToken ?? RegistrationToken(),
            ["id_token_hint"] = idToken,
        }));

    /// <summary>Gluu's device_registration_token: a JWT this device's key signs, with the public key in its header.</summary>
    public string RegistrationToken(string? jti = null)
    {
        var now = DateTimeOffset.UtcNow;
        var claims = new Dictionary<string, object>
        {
            ["aud"] = provider.Issuer + "/bc-deviceRegistration",
            ["iat"] = now.ToUnixTimeSeconds(),
            ["exp"] = now.AddMinutes(2).ToUnixTimeSeconds(),
            ["jti"] = jti ?? Guid.NewGuid().ToString("N"),
            ["name"] = Name,
        };
        if (PushToken is not null)
        {
            claims["push_token"] = PushToken;
        }

        return Sign("ciba-device-registration+jwt", claims, new Dictionary<string, object> { ["jwk"] = PublicJwk });
    }

    /// <summary>A JWT that reads this device's requests (<paramref name="audience"/>: another URL, for refusals).</summary>
    public string AccessJwt(string? audience = null, TimeSpan? lifetime = null, TestKey? signer = null) => Sign("ciba-device-auth+jwt",
        new Dictionary<string, object>
        {
            ["aud"] = audience ?? RequestsUrl,
            ["iat"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
            ["exp"] = DateTimeOffset.UtcNow.Add(lifetime ?? TimeSpan.FromMinutes(2)).ToUnixTimeSeconds(),
            ["jti"] = Guid.NewGuid().ToString("N"),
        }, signer: signer);

    /// <summary>A decision JWT about <paramref name="transactionId"/>, signed with this device's key unless <paramref name="signer"/> is given.</summary>
    public string DecisionJwt(string transactionId, string decision = "approved", TestKey? signer = null, string[]? amr = null)
    {
        var claims = new Dictionary<string, object>
        {
            ["aud"] = DecisionsUrl,
            ["iat"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
            ["jti"] = Guid.NewGuid().ToString("N"),
            ["transaction_id"] = transactionId,
            ["decision"] = decision,
        };
        if (amr is not null)
        {
            claims["amr"] = amr;
        }

        return Sign("ciba-device-decision+jwt", claims, signer: signer);
    }

    /// <summary>The pending requests, at once or (<paramref name="waitSeconds"/>) by long polling.</summary>
    public async Task<(HttpResponseMessage Response, JsonElement Body)> PendingAsync(int? waitSeconds = null, string? accessJwt = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, RequestsUrl + (waitSeconds is { } wait ? $"?wait={wait}" : ""));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessJwt ?? AccessJwt());
        var response = await provider.Http.SendAsync(request);
        return (response, await response.Content.ReadFromJsonAsync<JsonElement>());
    }

    /// <summary>The transaction ids of the pending requests whose binding message is <paramref name="bindingMessage"/>.</summary>
    public static IEnumerable<string> WithBindingMessage(JsonElement list, string bindingMessage) =>
        list.GetProperty("requests").EnumerateArray()
            .Where(r => r.TryGetProperty("binding_message", out var m) && m.GetString() == bindingMessage)
            .Select(r => r.GetProperty("transaction_id").GetString()!);

    /// <summary>Opens the Server-Sent Events stream of this device's requests.</summary>
    public async Task<ServerSentEvents> OpenStreamAsync(string? accessJwt = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, RequestsUrl);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessJwt ?? AccessJwt());
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        var http = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
        var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        return new ServerSentEvents(http, response);
    }

    /// <summary>Posts a decision JWT (<c>Content-Type: application/jwt</c>).</summary>
    public Task<HttpResponseMessage> DecideAsync(string decisionJwt)
    {
        var content = new StringContent(decisionJwt, Encoding.ASCII);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/jwt");
        return provider.Http.PostAsync(DecisionsUrl, content);
    }

    private string Sign(string type, Dictionary<string, object> claims, Dictionary<string, object>? header = null, TestKey? signer = null) =>
        Handler.CreateToken(new SecurityTokenDescriptor
        {
            Claims = claims,
            TokenType = type,
            AdditionalHeaderClaims = header,
            SigningCredentials = new SigningCredentials(UnnamedKey(signer ?? Key), "ES256"),
        });

    /// <summary>The key without a kid: a device names no key id, the path names the device.</summary>
    private static SecurityKey UnnamedKey(TestKey key) => new ECDsaSecurityKey(((ECDsaSecurityKey)key.SecurityKey).ECDsa);
}

/// <summary>A Server-Sent Events stream being read: its events in order (comments skipped).</summary>
internal sealed class ServerSentEvents(HttpClient http, HttpResponseMessage response) : IAsyncDisposable
{
    private StreamReader? _reader;

    public HttpResponseMessage Response => response;

    /// <summary>The next event (name and data), waiting at most <paramref name="timeout"/>; null when the stream ended.</summary>
    public async Task<(string Event, JsonElement Data)?> NextAsync(TimeSpan? timeout = null)
    {
        _reader ??= new StreamReader(await response.Content.ReadAsStreamAsync());
        using var cancel = new CancellationTokenSource(timeout is { } wait && wait > TimeSpan.Zero ? wait : TimeSpan.FromSeconds(10));
        string? name = null;
        var data = new StringBuilder();
        while (await _reader.ReadLineAsync(cancel.Token) is { } line)
        {
            if (line.Length == 0)
            {
                if (name is not null)
                {
                    return (name, JsonDocument.Parse(data.ToString()).RootElement.Clone());
                }

                continue;
            }

            if (line.StartsWith("event: ", StringComparison.Ordinal))
            {
                name = line["event: ".Length..];
            }
            else if (line.StartsWith("data: ", StringComparison.Ordinal))
            {
                data.Append(line["data: ".Length..]);
            }
        }

        return null;
    }

    /// <summary>The next event about the request with this binding message (<c>request</c>) or this transaction (<c>closed</c>), skipping others.</summary>
    public async Task<(string Event, JsonElement Data)> NextAboutAsync(Func<(string Event, JsonElement Data), bool> match)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (DateTime.UtcNow < deadline)
        {
            if (await NextAsync(deadline - DateTime.UtcNow) is not { } next)
            {
                throw new InvalidOperationException("The stream ended.");
            }

            if (match(next))
            {
                return next;
            }
        }

        throw new TimeoutException("No matching event arrived.");
    }

    public ValueTask DisposeAsync()
    {
        _reader?.Dispose();
        response.Dispose();
        http.Dispose();
        return ValueTask.CompletedTask;
    }
}

/// <summary>Status checks that show the provider's answer when they fail.</summary>
internal static class ResponseAssertions
{
    public static async Task AssertStatusAsync(this HttpResponseMessage response, System.Net.HttpStatusCode expected)
    {
        if (response.StatusCode != expected)
        {
            Assert.Fail($"Expected {expected}, got {response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }
    }
}
