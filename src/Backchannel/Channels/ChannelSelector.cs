using Backchannel.Configuration;
using Backchannel.Users;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Backchannel.Channels;

/// <summary>Which channel reaches a user: the user's own, else <c>Channels:Default</c>, else http when its URL is set, else log in Development.</summary>
public sealed class ChannelSelector(IOptions<BackchannelOptions> options, IHostEnvironment environment)
{
    public string Default { get; } = DefaultChannel(options.Value.Channels, environment.IsDevelopment());

    public string For(User user) => string.IsNullOrEmpty(user.Channel) ? Default : user.Channel;

    public static string DefaultChannel(ChannelOptions channels, bool development) =>
        !string.IsNullOrEmpty(channels.Default) ? channels.Default
        : !string.IsNullOrEmpty(channels.Http.Url) || !development ? ChannelNames.Http
        : ChannelNames.Log;
}
