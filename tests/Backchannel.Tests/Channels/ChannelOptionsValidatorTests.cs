using Backchannel.Abstractions;
using Backchannel.Channels;
using Backchannel.Delivery;
using Backchannel.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Backchannel.Tests.Channels;

public class ChannelOptionsValidatorTests
{
    [Fact]
    public void A_channel_added_in_code_with_a_built_in_name_is_a_clear_start_up_error()
    {
        var errors = StartupErrorsOf(builder => builder.AddChannel<SilentChannel>("http"));

        Assert.Contains(errors, e => e.Contains("The channel type 'http' is added more than once", StringComparison.Ordinal));
    }

    [Fact]
    public void A_channel_added_twice_is_a_clear_start_up_error()
    {
        var errors = StartupErrorsOf(builder => builder.AddChannel<SilentChannel>("app").AddChannel<SilentChannel>("App"));

        Assert.Contains(errors, e => e.Contains("The channel type 'app' is added more than once", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public void A_channel_added_in_code_with_the_name_of_a_configured_instance_is_a_clear_start_up_error()
    {
        var errors = StartupErrorsOf(builder => builder.AddChannel<SilentChannel>("bank"),
            ("Channels:Instances:bank:Url", "https://device.example/notify"), ("Channels:Instances:bank:Token", "device-service-token-0123456789"));

        Assert.Contains(errors, e => e.Contains("The channel 'bank' added in code has the name of Backchannel:Channels:Instances:bank", StringComparison.Ordinal));
    }

    [Fact]
    public void Channels_with_their_own_names_start()
    {
        var errors = StartupErrorsOf(builder => builder.AddChannel<SilentChannel>("app").AddChannelType("sms", (_, _) => new SilentChannel()));

        Assert.Empty(errors);
    }

    private static IReadOnlyList<string> StartupErrorsOf(Action<Backchannel.Abstractions.BackchannelBuilder> addChannels, params (string Key, string Value)[] settings)
    {
        var values = new Dictionary<string, string?>
        {
            ["Issuer"] = "https://op.example",
            ["Channels:Http:Url"] = "https://device.example/notify",
            ["Channels:Http:Token"] = "device-service-token-0123456789",
        };
        foreach (var (key, value) in settings)
        {
            values[key] = value;
        }

        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<IHostEnvironment>(new ProductionEnvironment());
        addChannels(services.AddBackchannel(new ConfigurationBuilder().AddInMemoryCollection(values).Build()).UseSqlite());
        using var provider = services.BuildServiceProvider();
        try
        {
            _ = provider.GetRequiredService<IOptions<ChannelOptions>>().Value;
            _ = provider.GetRequiredService<ChannelRegistry>();
            return [];
        }
        catch (OptionsValidationException ex)
        {
            return StartupErrors.Describe(ex);
        }
    }

    private sealed class SilentChannel : IAuthenticationDeviceChannel
    {
        public Task<DeliveryResult> NotifyAsync(DeviceNotification notification, CancellationToken cancellationToken) =>
            Task.FromResult(DeliveryResult.Delivered);
    }

    private sealed class ProductionEnvironment : IHostEnvironment
    {
        public string EnvironmentName { get; set; } = Environments.Production;
        public string ApplicationName { get; set; } = "Backchannel.Tests";
        public string ContentRootPath { get; set; } = Path.GetTempPath();
        public IFileProvider ContentRootFileProvider { get; set; } = new NullFileProvider();
    }
}
