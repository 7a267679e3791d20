using System.Net;
using System.Net.Sockets;

namespace Backchannel.Protocol;

/// <summary>
/// Which outgoing URLs the provider may call (client notification endpoints, jwks_uri, the device service), against
/// server-side request forgery: https only, and no loopback, private, link-local, multicast or reserved address,
/// unless the settings allow them.
/// </summary>
public static class NotificationEndpointRules
{
    /// <summary>Checks the URL itself; a host name is checked again against the addresses it resolves to, when connecting.</summary>
    public static string? Check(string? url, bool allowHttp, bool allowPrivateNetworks, out Uri? uri)
    {
        uri = null;
        if (string.IsNullOrWhiteSpace(url) || !Uri.TryCreate(url, UriKind.Absolute, out var parsed))
        {
            return "must be an absolute URL";
        }

        if (parsed.Scheme != Uri.UriSchemeHttps && !(allowHttp && parsed.Scheme == Uri.UriSchemeHttp))
        {
            return allowHttp ? "must be an http or https URL" : "must be an https URL";
        }

        if (!string.IsNullOrEmpty(parsed.UserInfo))
        {
            return "must not carry credentials";
        }

        if (!string.IsNullOrEmpty(parsed.Fragment))
        {
            return "must not have a fragment";
        }

        if (!allowPrivateNetworks)
        {
            if (parsed.IsLoopback || parsed.Host.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase))
            {
                return "must not point at a loopback address";
            }

            if (IPAddress.TryParse(parsed.IdnHost.Trim('[', ']'), out var address) && !IsPublic(address))
            {
                return $"must not point at a private, link-local, multicast or reserved address ({address})";
            }
        }

        uri = parsed;
        return null;
    }

    /// <summary>Whether an address is globally routable unicast (not loopback, private, link-local, CGNAT, multicast, or reserved).</summary>
    public static bool IsPublic(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (IPAddress.IsLoopback(address) || address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any)
            || address.Equals(IPAddress.None) || address.Equals(IPAddress.IPv6None))
        {
            return false;
        }

        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            Span<byte> b = stackalloc byte[4];
            address.TryWriteBytes(b, out _);
            return !(b[0] == 0                                  // this network
                || b[0] == 10                                   // private
                || (b[0] == 100 && (b[1] & 0xC0) == 64)         // carrier-grade NAT 100.64/10
                || b[0] == 127                                  // loopback
                || (b[0] == 169 && b[1] == 254)                 // link-local, cloud metadata
                || (b[0] == 172 && (b[1] & 0xF0) == 16)         // private 172.16/12
                || (b[0] == 192 && b[1] == 0 && b[2] == 0)      // IETF protocol assignments
                || (b[0] == 192 && b[1] == 0 && b[2] == 2)      // documentation
                || (b[0] == 192 && b[1] == 168)                 // private
                || (b[0] == 198 && (b[1] & 0xFE) == 18)         // benchmarking 198.18/15
                || (b[0] == 198 && b[1] == 51 && b[2] == 100)   // documentation
                || (b[0] == 203 && b[1] == 0 && b[2] == 113)    // documentation
                || b[0] >= 224);                                // multicast, reserved, broadcast
        }

        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            Span<byte> b = stackalloc byte[16];
            address.TryWriteBytes(b, out _);
            return !(address.IsIPv6LinkLocal || address.IsIPv6SiteLocal || address.IsIPv6Multicast
                || (b[0] & 0xFE) == 0xFC                        // unique local fc00::/7
                || (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0D && b[3] == 0xB8) // documentation
                || (b[0] == 0 && b[1] == 0x64 && b[2] == 0xFF && b[3] == 0x9B)    // NAT64 64:ff9b::/96
                || (b[0] == 0x20 && b[1] == 0x02)                                  // 6to4 2002::/16 (embeds an IPv4 address)
                || (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0 && b[3] == 0)        // Teredo 2001::/32
                || b[..12].IndexOfAnyExcept((byte)0) < 0                           // IPv4-compatible ::/96 (and ::, ::1)
                || address.IsIPv4MappedToIPv6);
        }

        return false;
    }
}
