using System.Collections.Concurrent;
using System.Text.Json;
using Backchannel.Abstractions;
using Backchannel.Domain;
using Backchannel.Protocol;
using Microsoft.Extensions.Logging;

namespace Backchannel.Clients;

/// <summary>
/// The registered clients, read through a cache and written through the store. A lookup is served from memory for
/// <see cref="CacheLifetime"/>; a change made on this node takes effect at once, one made on another node within that
/// time. Every stored client is validated again when it is loaded, so that a change of the provider's settings applies
/// to every client.
/// </summary>
public sealed partial class ClientCatalog(IClientStore store, ClientValidationSettings settings, TimeProvider time, ILogger<ClientCatalog> logger)
{
    public static readonly TimeSpan CacheLifetime = TimeSpan.FromSeconds(10);
    private const int MaxCachedLookups = 10_000;

    private readonly ConcurrentDictionary<string, CachedClient> _cache = new(StringComparer.Ordinal);

    public async ValueTask<Client?> FindAsync(string clientId, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (_cache.TryGetValue(clientId, out var cached) && cached.ExpiresAt > now)
        {
            return cached.Client;
        }

        var client = await LoadAsync(clientId, cancellationToken);
        if (_cache.Count >= MaxCachedLookups)
        {
            _cache.Clear();
        }

        _cache[clientId] = new CachedClient(client, now + CacheLifetime);
        return client;
    }

    /// <summary>Validates and stores a client (new or replacing one); the problems found, if any.</summary>
    public async Task<ClientValidationResult> SaveAsync(ClientMetadata metadata, string source, CancellationToken cancellationToken)
    {
        var existing = metadata.ClientId is { } id ? await store.FindAsync(id, cancellationToken) : null;

        // A client that stays with its source keeps its registration access token; one taken over by another source loses it.
        var (result, stored) = Validate(metadata, source, existing, existing?.Source == source ? existing.RegistrationAccessTokenHash : null);
        if (stored is not null)
        {
            await store.UpsertAsync(stored, cancellationToken);
            Invalidate(stored.ClientId);
        }

        return result;
    }

    // The writes of the admin API and of dynamic registration (RFC 7591, 7592): every change validated by the same
    // validator, and made by one conditional statement of the store.

    /// <summary>The client as stored, read from the store (not the cache): what registration management checks.</summary>
    public ValueTask<StoredClient?> FindStoredAsync(string clientId, CancellationToken cancellationToken) => store.FindAsync(clientId, cancellationToken);

    /// <summary>Validates and adds a new client of <paramref name="source"/>; not written when invalid or its client_id is taken.</summary>
    public async Task<ClientWrite> AddAsync(ClientMetadata metadata, string source, byte[]? registrationAccessTokenHash, CancellationToken cancellationToken)
    {
        var (result, stored) = Validate(metadata, source, existing: null, registrationAccessTokenHash);
        if (stored is null)
        {
            return new ClientWrite(result, null);
        }

        var added = await store.AddAsync(stored, cancellationToken);
        Invalidate(stored.ClientId);
        return new ClientWrite(result, added ? stored : null);
    }

    /// <summary>
    /// Validates and replaces the client <paramref name="expected"/> (as read) with <paramref name="metadata"/> (the admin
    /// API), keeping its source, creation time, registration access token and, without a new client_secret, its secret;
    /// only if it is still as read (one conditional update): not written when invalid, gone or changed since.
    /// </summary>
    public async Task<ClientWrite> ReplaceAsync(StoredClient expected, ClientMetadata metadata, CancellationToken cancellationToken)
    {
        var (result, stored) = Replacement(expected, metadata, expected.RegistrationAccessTokenHash);
        if (stored is null)
        {
            return new ClientWrite(result, null);
        }

        var replaced = await store.ReplaceAsync(stored, expected, cancellationToken);
        Invalidate(stored.ClientId);
        return new ClientWrite(result, replaced ? stored : null);
    }

    /// <summary>
    /// Validates and replaces a registered client whose registration access token is still <paramref name="current"/>'s,
    /// giving it <paramref name="registrationAccessTokenHash"/>; not written when invalid, gone or its token changed.
    /// </summary>
    public async Task<ClientWrite> ReplaceRegisteredAsync(StoredClient current, ClientMetadata metadata, byte[] registrationAccessTokenHash,
        CancellationToken cancellationToken)
    {
        var (result, stored) = Replacement(current, metadata, registrationAccessTokenHash);
        if (stored is null || current.RegistrationAccessTokenHash is not { } expected)
        {
            return new ClientWrite(result, null);
        }

        var replaced = await store.ReplaceRegisteredAsync(stored, expected, cancellationToken);
        Invalidate(current.ClientId);
        return new ClientWrite(result, replaced ? stored : null);
    }

    public async Task<bool> DeleteAsync(string clientId, CancellationToken cancellationToken)
    {
        var deleted = await store.DeleteAsync(clientId, cancellationToken);
        Invalidate(clientId);
        return deleted;
    }

    /// <summary>Removes a registered client whose registration access token is still <paramref name="current"/>'s.</summary>
    public async Task<bool> DeleteRegisteredAsync(StoredClient current, CancellationToken cancellationToken)
    {
        var deleted = current.RegistrationAccessTokenHash is { } expected
            && await store.DeleteRegisteredAsync(current.ClientId, expected, cancellationToken);
        Invalidate(current.ClientId);
        return deleted;
    }

    /// <summary>A stored client's metadata (without the secret), or null when it cannot be read.</summary>
    public static ClientMetadata? ReadMetadata(StoredClient stored)
    {
        try
        {
            return JsonSerializer.Deserialize(stored.Metadata, ProtocolJsonContext.Default.ClientMetadata);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>
    /// The validation of <paramref name="metadata"/> and, when it is valid, the client to store: new, or replacing
    /// <paramref name="existing"/> (whose secret stays without a new client_secret, and whose creation time stays).
    /// </summary>
    private (ClientValidationResult Result, StoredClient? Stored) Validate(ClientMetadata metadata, string source, StoredClient? existing,
        byte[]? registrationAccessTokenHash)
    {
        var result = ClientMetadataValidator.Validate(metadata, settings, existing?.SecretHash);
        if (result.Client is not { } client)
        {
            return (result, null);
        }

        // As the store keeps it: to the millisecond.
        var now = DateTimeOffset.FromUnixTimeMilliseconds(time.GetUtcNow().ToUnixTimeMilliseconds());
        return (result, new StoredClient
        {
            ClientId = client.ClientId,
            Metadata = JsonSerializer.Serialize(result.Metadata!, ProtocolJsonContext.Default.ClientMetadata),
            SecretHash = client.SecretHash,
            Source = source,
            CreatedAt = existing?.CreatedAt ?? now,
            UpdatedAt = now,
            RegistrationAccessTokenHash = registrationAccessTokenHash,
        });
    }

    /// <summary>The validation of <paramref name="metadata"/> and, when it is valid, the client replacing <paramref name="current"/>, of its source.</summary>
    private (ClientValidationResult Result, StoredClient? Stored) Replacement(StoredClient current, ClientMetadata metadata,
        byte[]? registrationAccessTokenHash)
    {
        var (result, stored) = Validate(metadata, current.Source, current, registrationAccessTokenHash);

        // A replacement is always a new version (a new ETag), even within the millisecond of the one it replaces.
        return stored is not null && stored.UpdatedAt <= current.UpdatedAt
            ? (result, stored with { UpdatedAt = current.UpdatedAt.AddMilliseconds(1) })
            : (result, stored);
    }

    /// <summary>Removes the clients of <paramref name="source"/> that are not in <paramref name="keep"/>.</summary>
    public async Task<IReadOnlyList<string>> DeleteFromSourceExceptAsync(string source, IReadOnlyList<string> keep, CancellationToken cancellationToken)
    {
        var deleted = await store.DeleteFromSourceExceptAsync(source, keep, cancellationToken);
        foreach (var clientId in deleted)
        {
            Invalidate(clientId);
        }

        return deleted;
    }

    public void Invalidate(string clientId) => _cache.TryRemove(clientId, out _);

    private async Task<Client?> LoadAsync(string clientId, CancellationToken cancellationToken)
    {
        if (await store.FindAsync(clientId, cancellationToken) is not { } stored)
        {
            return null;
        }

        var metadata = ReadMetadata(stored);
        var result = metadata is null ? null : ClientMetadataValidator.Validate(metadata, settings, stored.SecretHash);
        if (result?.Client is null)
        {
            Log.StoredClientInvalid(logger, clientId, result is null ? "its metadata is not readable" : string.Join("; ", result.Errors));
        }

        return result?.Client;
    }

    private sealed record CachedClient(Client? Client, DateTimeOffset ExpiresAt);

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "The stored client {ClientId} is not valid under the current settings and is refused: {Problems}")]
        public static partial void StoredClientInvalid(ILogger logger, string clientId, string problems);
    }
}

/// <summary>A write of the catalog: the validation's outcome, and the client as stored when it was written.</summary>
public sealed record ClientWrite(ClientValidationResult Validation, StoredClient? Stored);
