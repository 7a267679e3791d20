using System.Net;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;

namespace Backchannel.LoadGen;

/// <summary>Buffers owned by one worker loop, reused for every request it makes (one request at a time).</summary>
public sealed class WorkerBuffers
{
    public byte[] Response = new byte[16 * 1024];
    public readonly byte[] Form = new byte[4 * 1024];

    /// <summary>--dpop: this loop's DPoP key, made when the loop starts and used for all its flows.</summary>
    public DpopProofKey? DpopKey;
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
    private readonly string? _basicAuthorization;
    private readonly byte[][] _bcAuthorizePrefixes;
    private readonly byte[] _tokenFormPrefix;
    private readonly Uri? _mtlsBase;

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
        if (options.MtlsCertificate is { } certificateFile)
        {
            // tls_client_auth: the certificate whenever a server asks for one; the pooled connections keep their
            // handshake, so a flow costs no handshake once the pool is full.
            ClientCertificate = LoadCertificate(certificateFile, options.MtlsKey);
            BoundThumbprint = System.Buffers.Text.Base64Url.EncodeToString(SHA256.HashData(ClientCertificate.RawData));
            var certificate = ClientCertificate;
            handler.SslOptions = new SslClientAuthenticationOptions
            {
                ClientCertificates = [certificate],
                LocalCertificateSelectionCallback = (_, _, _, _, _) => certificate,
            };
            if (options.MtlsServerCa is { } caFile)
            {
                var trusted = new X509Certificate2Collection();
                trusted.ImportFromPemFile(caFile);
                handler.SslOptions.CertificateChainPolicy = new X509ChainPolicy
                {
                    TrustMode = X509ChainTrustMode.CustomRootTrust,
                    RevocationMode = X509RevocationMode.NoCheck,
                };
                handler.SslOptions.CertificateChainPolicy.CustomTrustStore.AddRange(trusted);
            }

            _mtlsBase = options.MtlsBase;
        }

        _http = new HttpClient(handler, disposeHandler: true)
        {
            Timeout = options.Timeout,
            DefaultRequestVersion = HttpVersion.Version11,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        _http.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));

        // RFC 6749 section 2.3.1: client_id and secret are form-encoded before they are joined and base64-encoded.
        // tls_client_auth (RFC 8705 2.1): no secret, client_id in the form.
        var clientIdParameter = "";
        if (ClientCertificate is null)
        {
            var credentials = FormEncode(options.ClientId) + ":" + FormEncode(options.ClientSecret);
            _basicAuthorization = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(credentials));
        }
        else
        {
            clientIdParameter = "client_id=" + FormEncode(options.ClientId) + "&";
        }

        _tokenFormPrefix = [.. Encoding.ASCII.GetBytes(clientIdParameter), .. TokenFormPrefix];

        var expiry = options.EffectiveRequestedExpiry is { } e ? "&requested_expiry=" + e.ToString(System.Globalization.CultureInfo.InvariantCulture) : "";
        var notificationToken = options.Delivery == TokenDelivery.Poll ? "" : "&client_notification_token=" + FormEncode(options.ClientNotificationToken);
        _bcAuthorizePrefixes = options.LoginHints
            .Select(hint => Encoding.ASCII.GetBytes($"{clientIdParameter}scope={FormEncode(options.Scope)}&login_hint={FormEncode(hint)}{expiry}{notificationToken}&binding_message="))
            .ToArray();
    }

    public Uri? DiscoveryUri { get; private set; }
    public Uri? BcAuthorizeUri { get; private set; }
    public Uri? TokenUri { get; private set; }
    public JsonFields.Discovery? Discovery { get; private set; }

    /// <summary>--mtls-cert: the client certificate, and its SHA-256 thumbprint (base64url) that cnf.x5t#S256 must hold.</summary>
    public X509Certificate2? ClientCertificate { get; }

    public string? BoundThumbprint { get; }

    /// <summary>The token endpoint as a DPoP proof's htu names it.</summary>
    public string? TokenHtu { get; private set; }

    private static X509Certificate2 LoadCertificate(string file, string? keyFile)
    {
        if (keyFile is not null)
        {
            return X509Certificate2.CreateFromPemFile(file, keyFile);
        }

        var certificate = X509CertificateLoader.LoadPkcs12FromFile(file, password: null);
        return certificate.HasPrivateKey
            ? certificate
            : throw new InvalidOperationException($"--mtls-cert {file} holds no private key (a PEM certificate needs --mtls-key)");
    }

    /// <summary>Whether the access token (a JWT) carries cnf.x5t#S256 of the client certificate.</summary>
    public bool IsBoundToClientCertificate(string? accessToken)
    {
        var parts = accessToken?.Split('.');
        if (parts is not { Length: 3 } || BoundThumbprint is null)
        {
            return false;
        }

        try
        {
            using var payload = JsonDocument.Parse(System.Buffers.Text.Base64Url.DecodeFromChars(parts[1]));
            return payload.RootElement.TryGetProperty("cnf", out var cnf)
                && cnf.ValueKind == JsonValueKind.Object
                && cnf.TryGetProperty("x5t#S256", out var x5t)
                && x5t.ValueKind == JsonValueKind.String
                && x5t.ValueEquals(BoundThumbprint);
        }
        catch (Exception ex) when (ex is JsonException or FormatException)
        {
            return false;
        }
    }

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
        if (_mtlsBase is not null)
        {
            // The endpoint aliases (RFC 8705 5): the same paths under the mutual-TLS base URL.
            BcAuthorizeUri = Alias(BcAuthorizeUri);
            TokenUri = Alias(TokenUri);
        }

        TokenHtu = TokenUri.GetLeftPart(UriPartial.Path);
        Discovery = d;

        Uri Alias(Uri endpoint) => new(_mtlsBase!.GetLeftPart(UriPartial.Authority) + endpoint.AbsolutePath);

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
        if (_basicAuthorization is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", _basicAuthorization);
        }

        return await SendForAnswerAsync(request, buffers, ct).ConfigureAwait(false);
    }

    /// <summary>The token request body for one auth_req_id, built once and reused for every poll of it.</summary>
    public byte[] BuildTokenForm(string authReqId)
    {
        var escaped = Encoding.ASCII.GetBytes(Uri.EscapeDataString(authReqId));
        var body = new byte[_tokenFormPrefix.Length + escaped.Length];
        _tokenFormPrefix.CopyTo(body, 0);
        escaped.CopyTo(body, _tokenFormPrefix.Length);
        return body;
    }

    /// <summary>POST /token; with <paramref name="dpopProof"/>, in a DPoP header.</summary>
    public async Task<ProviderResponse> TokenAsync(WorkerBuffers buffers, byte[] tokenForm, CancellationToken ct, string? dpopProof = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, TokenUri)
        {
            Content = new ByteArrayContent(tokenForm),
        };
        request.Content.Headers.TryAddWithoutValidation("Content-Type", FormContentType);
        if (_basicAuthorization is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", _basicAuthorization);
        }

        if (dpopProof is not null)
        {
            request.Headers.TryAddWithoutValidation("DPoP", dpopProof);
        }

        return await SendForAnswerAsync(request, buffers, ct, keepAccessToken: ClientCertificate is not null).ConfigureAwait(false);
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

    private async Task<ProviderResponse> SendForAnswerAsync(HttpRequestMessage request, WorkerBuffers buffers, CancellationToken ct, bool keepAccessToken = false)
    {
        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct).ConfigureAwait(false);
        var length = await ReadBodyAsync(response, buffers, ct).ConfigureAwait(false);
        var answer = JsonFields.ParseAnswer(buffers.Response.AsSpan(0, length), keepAccessToken);
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

    public void Dispose()
    {
        _http.Dispose();
        ClientCertificate?.Dispose();
    }
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
