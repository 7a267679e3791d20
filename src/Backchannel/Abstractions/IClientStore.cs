using Backchannel.Domain;

namespace Backchannel.Abstractions;

/// <summary>Registered clients: their metadata and secret hashes.</summary>
public interface IClientStore
{
    ValueTask<StoredClient?> FindAsync(string clientId, CancellationToken cancellationToken);

    /// <summary>Adds or replaces a client, every field as given (its creation time is kept on replacement).</summary>
    Task UpsertAsync(StoredClient client, CancellationToken cancellationToken);

    /// <summary>Removes a client; false if there was none.</summary>
    Task<bool> DeleteAsync(string clientId, CancellationToken cancellationToken);

    /// <summary>Clients ordered by client_id (ordinal), those after <paramref name="after"/> when given, at most <paramref name="limit"/>.</summary>
    Task<IReadOnlyList<StoredClient>> ListAsync(string? after, int limit, CancellationToken cancellationToken);

    /// <summary>
    /// Replaces a client (its creation time kept) only if it is still exactly as <paramref name="expected"/> was read
    /// (metadata, secret hash, source and update time); whether it was replaced.
    /// </summary>
    Task<bool> ReplaceAsync(StoredClient client, StoredClient expected, CancellationToken cancellationToken);

    /// <summary>Removes the clients of <paramref name="source"/> not in <paramref name="keep"/>; their ids.</summary>
    Task<IReadOnlyList<string>> DeleteFromSourceExceptAsync(string source, IReadOnlyList<string> keep, CancellationToken cancellationToken);

    // Dynamic registration (RFC 7591, 7592): a registered client is changed only by the holder of its registration access
    // token, each change one conditional statement, so that of two racing changes one wins and the other finds it gone.

    /// <summary>Adds a client whose client_id is not taken; false (and nothing written) if it is.</summary>
    Task<bool> AddAsync(StoredClient client, CancellationToken cancellationToken);

    /// <summary>
    /// Replaces the client (metadata, secret hash, registration access token hash, update time) if its registration access
    /// token hash is still <paramref name="registrationAccessTokenHash"/>; false if it is gone or its token changed.
    /// </summary>
    Task<bool> ReplaceRegisteredAsync(StoredClient client, byte[] registrationAccessTokenHash, CancellationToken cancellationToken);

    /// <summary>Removes the client if its registration access token hash is still <paramref name="registrationAccessTokenHash"/>.</summary>
    Task<bool> DeleteRegisteredAsync(string clientId, byte[] registrationAccessTokenHash, CancellationToken cancellationToken);
}
