using System.Collections.Concurrent;
using Backchannel.Domain;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.Tokens;

namespace Backchannel.Security;

/// <summary>
/// A client's public keys: inline (jwks), or fetched from its jwks_uri and cached; a key id not in the cache triggers
/// one refetch (at most every <see cref="MinRefetchInterval"/>), so that clients can rotate keys.
/// </summary>
public sealed partial class ClientKeyResolver(IHttpClientFactory httpClients, TimeProvider time, ILogger<ClientKeyResolver> logger)
{
    public const string HttpClientName = "Backchannel.Jwks";
    public static readonly TimeSpan CacheLifetime = TimeSpan.FromMinutes(10);
    public static readonly TimeSpan MinRefetchInterval = TimeSpan.FromSeconds(30);
    private const int MaxDocumentBytes = 256 * 1024;

    private readonly ConcurrentDictionary<Uri, CachedKeys> _cache = new();

    public async ValueTask<IReadOnlyList<SecurityKey>> GetKeysAsync(Client client, bool refresh, CancellationToken cancellationToken)
    {
        if (client.JwksUri is null)
        {
            return client.Keys;
        }

        var now = time.GetUtcNow();
        if (_cache.TryGetValue(client.JwksUri, out var cached)
            && (refresh ? now - cached.FetchedAt < MinRefetchInterval : now - cached.FetchedAt < CacheLifetime))
        {
            return cached.Keys;
        }

        try
        {
            var http = httpClients.CreateClient(HttpClientName);
            using var response = await http.GetAsync(client.JwksUri, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            response.EnsureSuccessStatusCode();
            if (response.Content.Headers.ContentLength > MaxDocumentBytes)
            {
                throw new InvalidDataException("The JWK Set is larger than 256 KiB.");
            }

            var json = await response.Content.ReadAsStringAsync(cancellationToken);
            var keys = new JsonWebKeySet(json).Keys
                .Where(k => k.Kty is JsonWebAlgorithmsKeyTypes.RSA or JsonWebAlgorithmsKeyTypes.EllipticCurve && !k.HasPrivateKey
                            && (string.IsNullOrEmpty(k.Use) || k.Use == "sig"))
                .ToArray<SecurityKey>();
            _cache[client.JwksUri] = new CachedKeys(keys, now);
            return keys;
        }
        catch (Exception ex) when (ex is HttpRequestException or InvalidDataException or ArgumentException or TaskCanceledException)
        {
            Log.JwksFetchFailed(logger, client.ClientId, client.JwksUri, ex);
            return cached?.Keys ?? [];
        }
    }

    private sealed record CachedKeys(IReadOnlyList<SecurityKey> Keys, DateTimeOffset FetchedAt);

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "Fetching the JWK Set of client {ClientId} from {JwksUri} failed")]
        public static partial void JwksFetchFailed(ILogger logger, string clientId, Uri jwksUri, Exception exception);
    }
}
