using Backchannel.Protocol;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Backchannel.Clients;

/// <summary>The clients of <c>Backchannel:Clients</c>, in the RFC 7591 client-metadata vocabulary; seeded into the store at start.</summary>
public sealed class ConfiguredClients
{
    public List<ClientMetadata> Clients { get; set; } = [];
}

/// <summary>
/// Checks every configured client with the validator that serves registration too, naming the setting. The provider
/// settings clients are checked against come from other sections; when one of those is itself invalid, its own
/// validator reports it and the clients are checked once it is fixed.
/// </summary>
public sealed class ConfiguredClientsValidator(IServiceProvider services) : IValidateOptions<ConfiguredClients>
{
    public ValidateOptionsResult Validate(string? name, ConfiguredClients options)
    {
        ClientValidationSettings settings;
        try
        {
            settings = services.GetRequiredService<ClientValidationSettings>();
        }
        catch (OptionsValidationException)
        {
            return ValidateOptionsResult.Skip;
        }

        var errors = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < options.Clients.Count; i++)
        {
            var metadata = options.Clients[i];
            var result = ClientMetadataValidator.Validate(metadata, settings);
            errors.AddRange(result.Errors.Select(e => $"Backchannel:Clients:{i} ({metadata.ClientId ?? "no client_id"}): {e}."));
            if (metadata.ClientId is { } id && !seen.Add(id))
            {
                errors.Add($"Backchannel:Clients:{i}: client_id '{id}' is registered twice.");
            }
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
