using Backchannel.Abstractions;
using Backchannel.Domain;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Hosting;

namespace Backchannel.Tests.Channels;

/// <summary>
/// The provider's services as a production host composes them (<c>AddBackchannel(...).UseSqlite()</c>), from settings of
/// the <c>Backchannel</c> section, with the channels a test adds in code: what the channel selection and the channel
/// checks at start are tried on.
/// </summary>
internal static class ChannelServices
{
    /// <summary>The container of <paramref name="defaults"/> overridden by <paramref name="settings"/>, with <paramref name="addChannels"/> applied.</summary>
    public static ServiceProvider Compose(Dictionary<string, string?> defaults, IEnumerable<(string Key, string Value)> settings,
        Action<BackchannelBuilder> addChannels)
    {
        foreach (var (key, value) in settings)
        {
            defaults[key] = value;
        }

        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<IHostEnvironment>(new ProductionEnvironment());
        addChannels(services.AddBackchannel(new ConfigurationBuilder().AddInMemoryCollection(defaults).Build()).UseSqlite());
        return services.BuildServiceProvider();
    }

    private sealed class ProductionEnvironment : IHostEnvironment
    {
        public string EnvironmentName { get; set; } = Environments.Production;
        public string ApplicationName { get; set; } = "Backchannel.Tests";
        public string ContentRootPath { get; set; } = Path.GetTempPath();
        public IFileProvider ContentRootFileProvider { get; set; } = new NullFileProvider();
    }
}

/// <summary>A channel that delivers every notification (and, as channels do by default, reaches every user).</summary>
internal sealed class DeliveringChannel : IAuthenticationDeviceChannel
{
    public Task<DeliveryResult> NotifyAsync(DeviceNotification notification, CancellationToken cancellationToken) =>
        Task.FromResult(DeliveryResult.Delivered);
}

/// <summary>A channel that reaches nobody (like the app channel for a user without a device).</summary>
internal sealed class UnreachableChannel : IAuthenticationDeviceChannel
{
    public Task<DeliveryResult> NotifyAsync(DeviceNotification notification, CancellationToken cancellationToken) =>
        Task.FromResult(new DeliveryResult(DeliveryStatus.Rejected, "unreachable"));

    public ValueTask<bool> CanReachAsync(User user, CancellationToken cancellationToken) => ValueTask.FromResult(false);
}
