using Backchannel.Abstractions;
using Backchannel.Domain;
using System.Collections.Concurrent;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Backchannel.Channels;

/// <summary>
/// The configured channel instances by name: <c>http</c> (when <c>Channels:Http:Url</c> is set), <c>log</c> (in
/// Development), <c>portal</c> (when the portal is on), <c>email</c> (when <c>Channels:Email:SmtpHost</c> is set), each of <c>Channels:Instances</c>, and those the host registered in code; and the default channel.
/// Channels are made on first use by their type.
/// </summary>
public sealed class ChannelRegistry
{
    private readonly IReadOnlyDictionary<string, ChannelType> _types;
    private readonly IServiceProvider _services;
    private readonly ConcurrentDictionary<string, IAuthenticationDeviceChannel> _channels = new(StringComparer.OrdinalIgnoreCase);

    public ChannelRegistry(IOptions<ChannelOptions> options, IHostEnvironment environment, IEnumerable<ChannelType> types,
        IEnumerable<RegisteredChannel> registered, IServiceProvider services)
    {
        _types = ChannelType.ByName(types);
        _services = services;
        (Instances, Default) = Plan(options.Value, environment.IsDevelopment(), registered);
    }

    public IReadOnlyDictionary<string, ChannelInstanceSettings> Instances { get; }

    /// <summary>The default channel's name, or several names separated by commas (<see cref="Domain.ChannelList"/>).</summary>
    public string Default { get; }

    public IReadOnlySet<string> Names => Instances.Keys.ToHashSet(StringComparer.OrdinalIgnoreCase);

    public ChannelInstanceSettings? Settings(string name) => Instances.GetValueOrDefault(name);

    /// <summary>The channel named <paramref name="name"/>, made by its type on first use; null if there is none.</summary>
    public IAuthenticationDeviceChannel? Find(string name)
    {
        if (_channels.TryGetValue(name, out var channel))
        {
            return channel;
        }

        if (Settings(name) is not { } settings || !_types.TryGetValue(settings.Type, out var type))
        {
            return null;
        }

        return _channels.GetOrAdd(name, _ => type.Create(_services, settings));
    }

    /// <summary>The instances the settings define and the default channels (pure: the validator checks the same plan).</summary>
    public static (IReadOnlyDictionary<string, ChannelInstanceSettings> Instances, string Default) Plan(ChannelOptions options, bool development,
        IEnumerable<RegisteredChannel> registered)
    {
        var instances = new Dictionary<string, ChannelInstanceSettings>(StringComparer.OrdinalIgnoreCase);
        if (!string.IsNullOrEmpty(options.Http.Url) || ChannelList.Parse(options.Default).Contains(ChannelType.Http, StringComparer.OrdinalIgnoreCase)
            || (!development && string.IsNullOrEmpty(options.Default)))
        {
            instances[ChannelType.Http] = new ChannelInstanceSettings(ChannelType.Http, ChannelType.Http, options.Http.Url, options.Http.Token,
                options.Http.DelaySeconds);
        }

        if (development)
        {
            instances[ChannelType.Log] = new ChannelInstanceSettings(ChannelType.Log, ChannelType.Log, null, null, 0);
        }

        var portal = options.Portal.EffectiveEnabled(development);
        if (portal)
        {
            instances[ChannelType.Portal] = new ChannelInstanceSettings(ChannelType.Portal, ChannelType.Portal, null, null, 0);
        }

        if (options.Email.Configured)
        {
            instances[ChannelType.Email] = new ChannelInstanceSettings(ChannelType.Email, ChannelType.Email, null, null, options.Email.DelaySeconds);
        }

        foreach (var (name, instance) in options.Instances)
        {
            instances[name] = new ChannelInstanceSettings(name, instance.Type ?? ChannelType.Http, instance.Url, instance.Token, instance.DelaySeconds);
        }

        foreach (var channel in registered)
        {
            instances[channel.Name] = new ChannelInstanceSettings(channel.Name, channel.Type, null, null, 0);
        }

        var defaultChannel = !string.IsNullOrEmpty(options.Default) ? options.Default
            : !string.IsNullOrEmpty(options.Http.Url) || !development ? ChannelType.Http
            : portal ? ChannelType.Portal
            : ChannelType.Log;
        return (instances, defaultChannel);
    }
}
