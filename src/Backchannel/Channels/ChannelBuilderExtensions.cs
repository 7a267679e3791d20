using Backchannel.Abstractions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Backchannel.Channels;

/// <summary>How a host adds channels of its own.</summary>
public static class ChannelBuilderExtensions
{
    /// <summary>
    /// Adds a channel type: channels of <c>Channels:Instances</c> with this <c>Type</c> are made by <paramref name="create"/>
    /// from their settings; <paramref name="validate"/> checks those settings at start.
    /// </summary>
    public static BackchannelBuilder AddChannelType(this BackchannelBuilder builder, string type,
        Func<IServiceProvider, ChannelInstanceSettings, IAuthenticationDeviceChannel> create,
        Func<ChannelInstanceSettings, IEnumerable<string>>? validate = null)
    {
        builder.Services.AddSingleton(new ChannelType(type, create, validate));
        return builder;
    }

    /// <summary>
    /// Adds a channel of the host's own, named <paramref name="name"/> (made from the container); users, clients, rules and
    /// <c>Channels:Default</c> can name it.
    /// </summary>
    public static BackchannelBuilder AddChannel<TChannel>(this BackchannelBuilder builder, string name)
        where TChannel : class, IAuthenticationDeviceChannel
    {
        builder.Services.TryAddSingleton<TChannel>();
        builder.AddChannelType(name, (services, _) => services.GetRequiredService<TChannel>());
        builder.Services.AddSingleton(new RegisteredChannel(name, name));
        return builder;
    }
}
