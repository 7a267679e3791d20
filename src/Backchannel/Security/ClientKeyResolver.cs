using System.Collections.Concurrent;
using System.Text.Json;
using Backchannel.Domain;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.Tokens;

namespace Backchannel.Security;

/// <summary>
/// A client's public keys: inline (jwks), or fetched from its jwks_uri and cached. A key id not in the cache triggers one
/// refetch (at most every <see cref="MinRefetchInterval"/>), so that clients can rotate keys. A fetch reads at most
/// <see cref="MaxDocumentBytes"/> (counted as they arrive, whatever the headers say), one fetch per URI is in flight at a
/// time (concurrent requests wait for it), a failed fetch is remembered for <see cref="FailureCacheLifetime"/> (its
/// cached keys, if any, keep serving), and fetched content never reaches the log.
/// </summary>
public sealed partial class ClientKeyResolver(IHttpClientFactory httpClients, TimeProvider time, ILogger<ClientKeyResolver> logger)
{
    public const string HttpClientName = "Backchannel.Jwks";
    public static readonly TimeSpan CacheLifetime = TimeSpan.FromMinutes(10);
    public static readonly TimeSpan MinRefetchInterval = TimeSpan.FromSeconds(30);
    public static readonly TimeSpan FailureCacheLifetime = TimeSpan.FromSeconds(30);
    public const int MaxDocumentBytes = 256 * 1024;
    private const int MaxKeys = 100;

    private readonly ConcurrentDictionary<Uri, Entry> _entries = new();

    public async ValueTask<IReadOnlyList<SecurityKey>> GetKeysAsync(Client client, bool refresh, CancellationToken cancellationToken)
    {
        if (client.JwksUri is not { } uri)
        {
            return client.Keys;
        }

        var entry = _entries.GetOrAdd(uri, static _ => new Entry());
        var now = time.GetUtcNow();
        if (entry.IsFresh(now, refresh))
        {
            return entry.Keys;
        }

        // One fetch in flight per URI: the others wait for its outcome instead of fetching too.
        await entry.Gate.WaitAsync(cancellationToken);
        try
        {
            now = time.GetUtcNow();
            if (entry.IsFresh(now, refresh) || entry.FailedRecently(now))
            {
                return entry.Keys;
            }

            try
            {
                entry.Keys = await FetchAsync(uri, cancellationToken);
                entry.FetchedAt = now;
                entry.FailedAt = null;
            }
            catch (Exception ex) when (ex is HttpRequestException or InvalidDataException or JsonException or ArgumentException
                                           or TaskCanceledException or IOException && !cancellationToken.IsCancellationRequested)
            {
                entry.FailedAt = now;

                // The reason only: an exception message can quote the document (IdentityModel's do).
                Log.JwksFetchFailed(logger, client.ClientId, uri, Reason(ex));
            }

            return entry.Keys;
        }
        finally
        {
            entry.Gate.Release();
        }
    }

    private async Task<IReadOnlyList<SecurityKey>> FetchAsync(Uri uri, CancellationToken cancellationToken)
    {
        using var response = await httpClients.CreateClient(HttpClientName).GetAsync(uri, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"HTTP {(int)response.StatusCode}");
        }

        if (response.Content.Headers.ContentLength > MaxDocumentBytes)
        {
            throw new InvalidDataException($"the JWK Set is larger than {MaxDocumentBytes} bytes");
        }

        // Count the bytes as they arrive: a server may send no length, or lie about it.
        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
        var buffer = new byte[MaxDocumentBytes + 1];
        var length = 0;
        int read;
        while ((read = await body.ReadAsync(buffer.AsMemory(length), cancellationToken)) > 0)
        {
            length += read;
            if (length > MaxDocumentBytes)
            {
                throw new InvalidDataException($"the JWK Set is larger than {MaxDocumentBytes} bytes");
            }
        }

        using var document = JsonDocument.Parse(buffer.AsMemory(0, length));
        if (!document.RootElement.TryGetProperty("keys", out var keys) || keys.ValueKind != JsonValueKind.Array)
        {
            throw new InvalidDataException("the document is not a JWK Set (no keys array)");
        }

        var result = new List<SecurityKey>();
        foreach (var element in keys.EnumerateArray().Take(MaxKeys))
        {
            if (element.ValueKind != JsonValueKind.Object)
            {
                continue;
            }

            JsonWebKey key;
            try
            {
                key = new JsonWebKey(element.GetRawText());
            }
            catch (ArgumentException)
            {
                continue;
            }

            // RSA keys shorter than 2048 bits are left out, as they are refused in a registered jwks (and by FAPI).
            if (key.Kty is JsonWebAlgorithmsKeyTypes.RSA or JsonWebAlgorithmsKeyTypes.EllipticCurve && !key.HasPrivateKey
                && (string.IsNullOrEmpty(key.Use) || key.Use == "sig")
                && (key.Kty != JsonWebAlgorithmsKeyTypes.RSA || key.KeySize >= Protocol.FapiRules.MinRsaKeyBits))
            {
                result.Add(key);
            }
        }

        return result;
    }

    private static string Reason(Exception exception) => exception switch
    {
        InvalidDataException or HttpRequestException => exception.Message,
        JsonException => "the document is not JSON",
        TaskCanceledException => "timeout",
        _ => exception.GetType().Name,
    };

    private sealed class Entry
    {
        public SemaphoreSlim Gate { get; } = new(1, 1);

        public IReadOnlyList<SecurityKey> Keys { get; set; } = [];

        public DateTimeOffset? FetchedAt { get; set; }

        public DateTimeOffset? FailedAt { get; set; }

        public bool IsFresh(DateTimeOffset now, bool refresh) =>
            FetchedAt is { } fetched && (refresh ? now - fetched < MinRefetchInterval : now - fetched < CacheLifetime);

        public bool FailedRecently(DateTimeOffset now) => FailedAt is { } failed && now - failed < FailureCacheLifetime;
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "Fetching the JWK Set of client {ClientId} from {JwksUri} failed: {Reason}")]
        public static partial void JwksFetchFailed(ILogger logger, string clientId, Uri jwksUri, string reason);
    }
}
