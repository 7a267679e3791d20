using System.Collections.Frozen;
using Backchannel.Configuration;
using Microsoft.Extensions.Options;

namespace Backchannel.Clients;

/// <summary>
/// The clients of <c>Backchannel:Clients</c> (and the demo clients), validated once at start by
/// <see cref="ClientMetadataValidator"/>. Only secret hashes are kept.
/// </summary>
public sealed class ConfiguredClientRegistry : IClientRegistry
{
    private readonly FrozenDictionary<string, Client> _clients;

    public ConfiguredClientRegistry(IOptions<BackchannelOptions> options, ClientValidationSettings settings)
    {
        var clients = new Dictionary<string, Client>(StringComparer.Ordinal);
        foreach (var metadata in options.Value.Clients)
        {
            var result = ClientMetadataValidator.Validate(metadata, settings);
            if (result.Client is null)
            {
                // Options validation reports these with the setting's name before the host starts.
                throw new OptionsValidationException(BackchannelOptions.SectionName, typeof(BackchannelOptions),
                    result.Errors.Select(e => $"Backchannel:Clients ({metadata.ClientId}): {e}"));
            }

            clients[result.Client.ClientId] = result.Client;
        }

        _clients = clients.ToFrozenDictionary(StringComparer.Ordinal);
    }

    public Client? Find(string clientId) => _clients.GetValueOrDefault(clientId);

    public IReadOnlyCollection<Client> All => _clients.Values;
}
