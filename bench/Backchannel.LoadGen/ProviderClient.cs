using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Backchannel.LoadGen;

/// <summary>Buffers owned by one worker loop, reused for every request it makes (one request at a time).</summary>
public sealed class WorkerBuffers
{
    public byte[] Response = new byte[16 * 1024];
    public readonly byte[] Form = new byte[4 * 1024];
}

/// <summary>The answer of one provider request: status, and the fields read from the body.</summary>
public readonly record struct ProviderResponse(int Status, JsonFields.ProviderAnswer Answer)
{
    /// <summary>"HTTP 400 invalid_request", or "HTTP 503" when the body has no error code.</summary>
    public string Describe() => Answer.Error is { Length: > 0 } error
        ? $"HTTP {Status} {Truncate(error)}"
        : Answer.Malformed && Status is >= 200 and < 300 ? $"HTTP {Status} (body not the expected JSON)" : $"HTTP {Status}";

    private static string Truncate(string s) => s.Length <= 64 ? s : s[..64];
}

/// <summary>
/// The HTTP side of the generator: one <see cref="HttpClient"/> over one pooled <see cref="SocketsHttpHandler"/>,
/// prebuilt header values and form prefixes, bodies read into per-worker buffers.
/// </summary>
public sealed class ProviderClient : IDisposable
{
    private const string FormContentType = "application/x-www-form-urlencoded";
    private const int MaxBody = 1024 * 1024;
    private static readonly byte[] TokenFormPrefix = "grant_type=urn%3Aopenid%3Aparams%3Agrant-type%3Aciba&auth_req_id="u8.ToArray();
    private static readonly byte[] ApprovedBody = """{"status":"approved"}"""u8.ToArray();

    private readonly HttpClient _http;
    private readonly string _basicAuthorization;
    private readonly byte[][] _bcAuthorizePrefixes;

    public ProviderClient(LoadGenOptions options, int maxConnections)
    {
        var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = maxConnections,
            AllowAutoRedirect = false,
            UseCookies = false,
            UseProxy = false,
            AutomaticDecompression = DecompressionMethods.None,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(2),
            ConnectTimeout = options.Timeout,
            EnableMultipleHttp2Connections = false,
        };
        _http = new HttpClient(handler, disposeHandler: true)
        {
            Timeout = options.Timeout,
            DefaultRequestVersion = HttpVersion.Version11,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        _http.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));

        // RFC 6749 section 2.3.1: client_id and secret are form-encoded before they are joined and base64-encoded.
        var credentials = FormEncode(options.ClientId) + ":" + FormEncode(options.ClientSecret);
        _basicAuthorization = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(credentials));

        var expiry = options.EffectiveRequestedExpiry is { } e ? "&requested_expiry=" + e.ToString(System.Globalization.CultureInfo.InvariantCulture) : "";
        var notificationToken = options.Delivery == TokenDelivery.Poll ? "" : "&client_notification_token=" + FormEncode(options.ClientNotificationToken);
        _bcAuthorizePrefixes = options.LoginHints
            .Select(hint => Encoding.ASCII.GetBytes($"scope={FormEncode(options.Scope)}&login_hint={FormEncode(hint)}{expiry}{notificationToken}&binding_message="))
            .ToArray();
    }

    public Uri? DiscoveryUri { get; private set; }
    public Uri? BcAuthorizeUri { get; private set; }
    public Uri? TokenUri { get; private set; }
    public JsonFields.Discovery? Discovery { get; private set; }

    private static string FormEncode(string value) => Uri.EscapeDataString(value).Replace("%20", "+", StringComparison.Ordinal);

    public static Uri DiscoveryUrlFor(Uri provider)
    {
        var s = provider.AbsoluteUri;
        return s.Contains("/.well-known/", StringComparison.Ordinal)
            ? provider
            : new Uri(s.TrimEnd('/') + "/.well-known/openid-configuration");
    }

    /// <summary>Reads the discovery document and remembers the backchannel and token endpoints. Throws with a readable message.</summary>
    public async Task DiscoverAsync(Uri provider, CancellationToken ct)
    {
        DiscoveryUri = DiscoveryUrlFor(provider);
        var buffers = new WorkerBuffers();
        int status, length;
        try
        {
            (status, length) = await GetAsync(DiscoveryUri, buffers, ct).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            throw new InvalidOperationException($"cannot read {DiscoveryUri}: {ExceptionKind.Describe(ex)} ({ex.Message})", ex);
        }

        if (status != 200)
        {
            throw new InvalidOperationException($"{DiscoveryUri} answered HTTP {status}");
        }

        JsonFields.Discovery d;
        try
        {
            d = JsonFields.ParseDiscovery(buffers.Response.AsSpan(0, length));
        }
        catch (JsonException ex)
        {
            throw new InvalidOperationException($"{DiscoveryUri} is not a JSON discovery document: {ex.Message}", ex);
        }

        BcAuthorizeUri = AbsoluteEndpoint(d.BackchannelAuthenticationEndpoint, "backchannel_authentication_endpoint");
        TokenUri = AbsoluteEndpoint(d.TokenEndpoint, "token_endpoint");
        Discovery = d;

        Uri AbsoluteEndpoint(string? value, string name)
        {
            if (string.IsNullOrEmpty(value))
            {
                throw new InvalidOperationException($"{DiscoveryUri} has no {name} (is CIBA enabled on this provider?)");
            }

            if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            {
                throw new InvalidOperationException($"{name} in {DiscoveryUri} is not an http(s) URL: {value}");
            }

            return uri;
        }
    }

    /// <summary>GET the discovery document (endpoint mode); returns the status.</summary>
    public async Task<int> GetDiscoveryAsync(WorkerBuffers buffers, CancellationToken ct)
    {
        var (status, _) = await GetAsync(DiscoveryUri!, buffers, ct).ConfigureAwait(false);
        return status;
    }

    /// <summary>POST bc-authorize with the login hint number <paramref name="hintIndex"/> (mod the list) and a binding message of [A-Za-z0-9-].</summary>
    public async Task<ProviderResponse> BcAuthorizeAsync(WorkerBuffers buffers, long hintIndex, string bindingMessage, CancellationToken ct)
    {
        var prefix = _bcAuthorizePrefixes[(int)(hintIndex % _bcAuthorizePrefixes.Length)];
        prefix.CopyTo(buffers.Form, 0);
        var length = prefix.Length + Encoding.ASCII.GetBytes(bindingMessage, buffers.Form.AsSpan(prefix.Length));

        using var request = new HttpRequestMessage(HttpMethod.Post, BcAuthorizeUri)
        {
            Content = new ReadOnlyMemoryContent(buffers.Form.AsMemory(0, length)),
        };
        request.Content.Headers.TryAddWithoutValidation("Content-Type", FormContentType);
        request.Headers.TryAddWithoutValidation("Authorization", _basicAuthorization);
        return await SendForAnswerAsync(request, buffers, ct).ConfigureAwait(false);
    }

    /// <summary>The token request body for one auth_req_id, built once and reused for every poll of it.</summary>
    public static byte[] BuildTokenForm(string authReqId)
    {
        var escaped = Encoding.ASCII.GetBytes(Uri.EscapeDataString(authReqId));
        var body = new byte[TokenFormPrefix.Length + escaped.Length];
        TokenFormPrefix.CopyTo(body, 0);
        escaped.CopyTo(body, TokenFormPrefix.Length);
        return body;
    }

    public async Task<ProviderResponse> TokenAsync(WorkerBuffers buffers, byte[] tokenForm, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, TokenUri)
        {
            Content = new ByteArrayContent(tokenForm),
        };
        request.Content.Headers.TryAddWithoutValidation("Content-Type", FormContentType);
        request.Headers.TryAddWithoutValidation("Authorization", _basicAuthorization);
        return await SendForAnswerAsync(request, buffers, ct).ConfigureAwait(false);
    }

    /// <summary>The device's answer: POST {callback_url} with the callback token and {"status":"approved"}.</summary>
    public async Task<ProviderResponse> ApproveAsync(WorkerBuffers buffers, Uri callbackUrl, string callbackToken, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, callbackUrl)
        {
            Content = new ByteArrayContent(ApprovedBody),
        };
        request.Content.Headers.TryAddWithoutValidation("Content-Type", "application/json");
        request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + callbackToken);
        return await SendForAnswerAsync(request, buffers, ct).ConfigureAwait(false);
    }

    private async Task<ProviderResponse> SendForAnswerAsync(HttpRequestMessage request, WorkerBuffers buffers, CancellationToken ct)
    {
        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct).ConfigureAwait(false);
        var length = await ReadBodyAsync(response, buffers, ct).ConfigureAwait(false);
        var answer = JsonFields.ParseAnswer(buffers.Response.AsSpan(0, length));
        return new ProviderResponse((int)response.StatusCode, answer);
    }

    private async Task<(int Status, int Length)> GetAsync(Uri uri, WorkerBuffers buffers, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, uri);
        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct).ConfigureAwait(false);
        var length = await ReadBodyAsync(response, buffers, ct).ConfigureAwait(false);
        return ((int)response.StatusCode, length);
    }

    private static async ValueTask<int> ReadBodyAsync(HttpResponseMessage response, WorkerBuffers buffers, CancellationToken ct)
    {
        var stream = await response.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            var total = 0;
            while (true)
            {
                if (total == buffers.Response.Length)
                {
                    if (total >= MaxBody)
                    {
                        throw new InvalidDataException("response body larger than 1 MiB");
                    }

                    Array.Resize(ref buffers.Response, total * 2);
                }

                var read = await stream.ReadAsync(buffers.Response.AsMemory(total), ct).ConfigureAwait(false);
                if (read == 0)
                {
                    return total;
                }

                total += read;
            }
        }
    }

    public void Dispose() => _http.Dispose();
}

public static class ExceptionKind
{
    /// <summary>A short, stable name for an exception, used as an error kind.</summary>
    public static string Describe(Exception ex) => ex switch
    {
        TaskCanceledException { InnerException: TimeoutException } => "timeout",
        TimeoutException => "timeout",
        HttpRequestException h => $"HttpRequestException({h.HttpRequestError})",
        InvalidDataException => "response too large",
        _ => ex.GetType().Name,
    };
}
