namespace Backchannel.Clients;

/// <summary>The registered clients.</summary>
public interface IClientRegistry
{
    Client? Find(string clientId);

    IReadOnlyCollection<Client> All { get; }
}
