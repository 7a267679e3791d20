using Backchannel.Abstractions;
using Backchannel.Domain;
using Microsoft.Extensions.Options;

namespace Backchannel.Clients;

/// <summary>
/// Writes the configured clients into the store at start, under the seeding lock: settings win for the clients they
/// define, and clients that came from the settings and are no longer configured are removed.
/// </summary>
public sealed class ClientSeeder(ClientCatalog catalog, IOptions<ConfiguredClients> options)
{
    public async Task SeedAsync(CancellationToken cancellationToken)
    {
        var configured = options.Value.Clients;
        foreach (var metadata in configured)
        {
            var result = await catalog.SaveAsync(metadata, ClientSources.Settings, cancellationToken);
            if (result.Client is null)
            {
                // Options validation reports these with the setting's name before the store is touched.
                throw new InvalidOperationException($"Backchannel:Clients ({metadata.ClientId}): {string.Join("; ", result.Errors)}");
            }
        }

        await catalog.DeleteFromSourceExceptAsync(ClientSources.Settings, configured.Select(c => c.ClientId!).ToList(), cancellationToken);
    }
}
