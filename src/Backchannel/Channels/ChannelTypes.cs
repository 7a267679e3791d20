using Backchannel.Abstractions;

namespace Backchannel.Channels;

/// <summary>The settings of one channel instance, whatever its type.</summary>
public sealed record ChannelInstanceSettings(string Name, string Type, string? Url, string? Token, int DelaySeconds);

/// <summary>
/// A kind of channel: how an instance is made from its settings, and what its settings must satisfy. The built-in types
/// are <c>http</c> and <c>log</c>; a host adds its own with <c>AddChannelType</c>.
/// </summary>
public sealed record ChannelType(
    string Name,
    Func<IServiceProvider, ChannelInstanceSettings, IAuthenticationDeviceChannel> Create,
    Func<ChannelInstanceSettings, IEnumerable<string>>? Validate = null)
{
    public const string Http = "http";

    /// <summary>Development only: the approval command is written to the server log.</summary>
    public const string Log = "log";

    /// <summary>The user's web portal (<c>Channels:Portal</c>): nothing is sent, the user's open portal shows the request.</summary>
    public const string Portal = "portal";

    /// <summary>A mail with a single-use link (<c>Channels:Email</c>).</summary>
    public const string Email = "email";

    /// <summary>The types by name; of a name added twice (which the validator refuses) the first.</summary>
    public static IReadOnlyDictionary<string, ChannelType> ByName(IEnumerable<ChannelType> types)
    {
        var byName = new Dictionary<string, ChannelType>(StringComparer.OrdinalIgnoreCase);
        foreach (var type in types)
        {
            byName.TryAdd(type.Name, type);
        }

        return byName;
    }
}

/// <summary>A channel instance the host registered in code (<c>AddChannel</c>), with the type it is of.</summary>
public sealed record RegisteredChannel(string Name, string Type);
