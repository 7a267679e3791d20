using System.Net;

namespace Backchannel.Security;

/// <summary>The proxies (<c>Mtls:TrustedProxies</c>) whose forwarded client-certificate header is believed. Pure.</summary>
public sealed class TrustedProxyList(IReadOnlyList<IPNetwork> networks)
{
    public IReadOnlyList<IPNetwork> Networks { get; } = networks;

    /// <summary>Whether the connection's peer is a trusted proxy (an IPv4 address mapped to IPv6 counts as the IPv4 address).</summary>
    public bool IsTrusted(IPAddress? peer)
    {
        if (peer is null)
        {
            return false;
        }

        var address = peer.IsIPv4MappedToIPv6 ? peer.MapToIPv4() : peer;
        foreach (var network in Networks)
        {
            if (network.Contains(address))
            {
                return true;
            }
        }

        return false;
    }
}
