using Backchannel.Domain;

namespace Backchannel.Channels;

/// <summary>
/// Which channel reaches the user of a request: the first of <c>Channels:Rules</c> that matches, else the user's own
/// channel, else the client's first channel, else <c>Channels:Default</c>; a client that lists its channels gets only
/// one of those (its first when no other candidate is allowed).
/// </summary>
public sealed class ChannelSelector(ChannelRegistry registry, Microsoft.Extensions.Options.IOptions<ChannelOptions> options)
{
    public string Select(User user, Client client, int expirySeconds)
    {
        foreach (var rule in options.Value.Rules)
        {
            if (rule.Channel is { } channel && rule.Matches(client.ClientId, expirySeconds) && Allowed(client, channel))
            {
                return channel;
            }
        }

        if (!string.IsNullOrEmpty(user.Channel) && Allowed(client, user.Channel))
        {
            return user.Channel;
        }

        return client.Channels.Count > 0 ? client.Channels[0] : registry.Default;
    }

    private static bool Allowed(Client client, string channel) =>
        client.Channels.Count == 0 || client.Channels.Contains(channel, StringComparer.OrdinalIgnoreCase);
}
