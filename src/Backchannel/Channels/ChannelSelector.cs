using Backchannel.Domain;
using Microsoft.Extensions.Options;

namespace Backchannel.Channels;

/// <summary>
/// Which channels reach the user of a request. The candidates, in order: each of <c>Channels:Rules</c> that matches,
/// the user's own channels, then the client's channels one by one (a client that lists channels) or else
/// <c>Channels:Default</c>. A rule, a user and the default may name several channels (<see cref="ChannelList"/>); a
/// client that lists its channels allows only those, and the others are passed over. The first candidate with a channel
/// that can reach the user (<see cref="Abstractions.IAuthenticationDeviceChannel.CanReachAsync"/>: the app channel
/// needs a registered device) gives the request's channels, those of its channels that can; when none can, the last
/// candidate is used as it is, and its notification tells the client that the user cannot be asked.
/// </summary>
public sealed class ChannelSelector(ChannelRegistry registry, IOptions<ChannelOptions> options)
{
    private readonly IReadOnlyList<(ChannelRule Rule, IReadOnlyList<string> Channels)> _rules =
        options.Value.Rules.Select(rule => (rule, ChannelList.Parse(rule.Channel))).ToArray();

    private readonly IReadOnlyList<string> _default = ChannelList.Parse(registry.Default);

    /// <summary>The channels to notify for a request of <paramref name="client"/> to <paramref name="user"/> that lives <paramref name="expirySeconds"/>.</summary>
    public async ValueTask<IReadOnlyList<string>> SelectAsync(User user, Client client, int expirySeconds, CancellationToken cancellationToken)
    {
        IReadOnlyList<string> last = _default;
        foreach (var candidate in Candidates(_rules, user, client, expirySeconds, _default))
        {
            last = candidate;
            var reachable = new List<string>(candidate.Count);
            foreach (var name in candidate)
            {
                var channel = registry.Find(name);
                if (channel is null || await channel.CanReachAsync(user, cancellationToken))
                {
                    // An unknown name is kept: its notification is refused, and the client told.
                    reachable.Add(registry.Settings(name)?.Name ?? name);
                }
            }

            if (reachable.Count > 0)
            {
                return reachable;
            }
        }

        return last;
    }

    /// <summary>The candidate channel lists for a request, in the order they are tried (pure: the settings, the user and the client decide).</summary>
    public static IEnumerable<IReadOnlyList<string>> Candidates(IReadOnlyList<(ChannelRule Rule, IReadOnlyList<string> Channels)> rules, User user,
        Client client, int expirySeconds, IReadOnlyList<string> defaultChannels)
    {
        foreach (var (rule, channels) in rules)
        {
            if (rule.Matches(client.ClientId, expirySeconds) && Allowed(client, channels) is { Count: > 0 } allowed)
            {
                yield return allowed;
            }
        }

        if (Allowed(client, ChannelList.Parse(user.Channel)) is { Count: > 0 } users)
        {
            yield return users;
        }

        if (client.Channels.Count == 0)
        {
            yield return defaultChannels;
            yield break;
        }

        foreach (var channel in client.Channels)
        {
            yield return [channel];
        }
    }

    /// <summary>Those of <paramref name="channels"/> the client allows (all when it lists none), at most <see cref="ChannelList.MaxPerRequest"/>.</summary>
    private static IReadOnlyList<string> Allowed(Client client, IReadOnlyList<string> channels)
    {
        var allowed = client.Channels.Count == 0 ? channels : channels.Where(c => client.Channels.Contains(c, StringComparer.OrdinalIgnoreCase)).ToList();
        return allowed.Count > ChannelList.MaxPerRequest ? allowed.Take(ChannelList.MaxPerRequest).ToList() : allowed;
    }
}
