using Backchannel.Domain;

namespace Backchannel.Abstractions;

/// <summary>Registered clients: their metadata and secret hashes.</summary>
public interface IClientStore
{
    ValueTask<StoredClient?> FindAsync(string clientId, CancellationToken cancellationToken);

    Task<IReadOnlyList<StoredClient>> ListAsync(CancellationToken cancellationToken);

    /// <summary>Adds or replaces a client (its creation time is kept on replacement).</summary>
    Task UpsertAsync(StoredClient client, CancellationToken cancellationToken);

    /// <summary>Removes a client; false if there was none.</summary>
    Task<bool> DeleteAsync(string clientId, CancellationToken cancellationToken);

    /// <summary>Removes the clients of <paramref name="source"/> not in <paramref name="keep"/>; their ids.</summary>
    Task<IReadOnlyList<string>> DeleteFromSourceExceptAsync(string source, IReadOnlyList<string> keep, CancellationToken cancellationToken);
}
