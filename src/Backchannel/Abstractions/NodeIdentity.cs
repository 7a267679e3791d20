using Backchannel.Protocol;

namespace Backchannel.Abstractions;

/// <summary>
/// This process among the nodes sharing a store: the owner name of its outbox leases. Unique per process by default; a
/// store that admits one process only (SQLite) gives it a fixed name, so that a restarted process is the same node.
/// </summary>
public sealed class NodeIdentity(string id)
{
    public NodeIdentity()
        : this($"{Environment.MachineName}/{Environment.ProcessId}/{RandomIdentifiers.New(6)}")
    {
    }

    public string Id { get; } = id;

    public override string ToString() => Id;
}
