using Backchannel.Abstractions;
using Backchannel.Channels;
using Backchannel.Delivery;
using Backchannel.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Backchannel.Tests.Channels;

public class ChannelOptionsValidatorTests
{
    [Fact]
    public void A_channel_added_in_code_with_a_built_in_name_is_a_clear_start_up_error()
    {
        var errors = StartupErrorsOf(builder => builder.AddChannel<DeliveringChannel>("http"));

        Assert.Contains(errors, e => e.Contains("The channel type 'http' is added more than once", StringComparison.Ordinal));
    }

    [Fact]
    public void A_channel_added_twice_is_a_clear_start_up_error()
    {
        var errors = StartupErrorsOf(builder => builder.AddChannel<DeliveringChannel>("app").AddChannel<DeliveringChannel>("App"));

        Assert.Contains(errors, e => e.Contains("The channel type 'app' is added more than once", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public void A_channel_added_in_code_with_the_name_of_a_configured_instance_is_a_clear_start_up_error()
    {
        var errors = StartupErrorsOf(builder => builder.AddChannel<DeliveringChannel>("bank"),
            ("Channels:Instances:bank:Url", "https://device.example/notify"), ("Channels:Instances:bank:Token", "device-service-token-0123456789"));

        Assert.Contains(errors, e => e.Contains("The channel 'bank' added in code has the name of Backchannel:Channels:Instances:bank", StringComparison.Ordinal));
    }

    [Fact]
    public void Channels_with_their_own_names_start()
    {
        var errors = StartupErrorsOf(builder => builder.AddChannel<DeliveringChannel>("app").AddChannelType("sms", (_, _) => new DeliveringChannel()));

        Assert.Empty(errors);
    }

    [Fact]
    public void Rules_users_and_the_default_may_name_several_channels()
    {
        var errors = StartupErrorsOf(builder => builder.AddChannel<DeliveringChannel>("mail"),
            ("Channels:Default", "http, mail"), ("Channels:Rules:0:Channel", "mail,http"), ("Users:0:sub", "alice"), ("Users:0:channel", "HTTP,mail"));

        Assert.Empty(errors);
    }

    [Fact]
    public void A_list_naming_an_unknown_channel_or_too_many_is_a_clear_start_up_error()
    {
        var errors = StartupErrorsOf(builder => builder.AddChannel<DeliveringChannel>("mail"),
            ("Channels:Default", "http,pager"), ("Channels:Rules:0:Channel", " , "), ("Users:0:sub", "alice"), ("Users:0:channel", "mail,fax"),
            ("Channels:Rules:1:Channel", "a,b,c,d,e,f,g,h,i"));

        Assert.Contains("Backchannel:Channels:Default 'http,pager' names 'pager', which is not a configured channel (http, mail).", errors);
        Assert.Contains("Backchannel:Channels:Rules:0:Channel ' , ' is not a configured channel (http, mail).", errors);
        Assert.Contains("Backchannel:Users:0: channel 'mail,fax' names 'fax', which is not a configured channel (http, mail).", errors);
        Assert.Contains("Backchannel:Channels:Rules:1:Channel names 9 channels; a request is sent to at most 8.", errors);
    }

    [Fact]
    public void A_channel_name_with_a_comma_is_a_clear_start_up_error()
    {
        var errors = StartupErrorsOf(_ => { },
            ("Channels:Instances:eu,us:Url", "https://device.example/notify"), ("Channels:Instances:eu,us:Token", "device-service-token-0123456789"));

        Assert.Contains(errors, e => e.Contains("The channel name 'eu,us' contains ','", StringComparison.Ordinal));
    }

    [Fact]
    public void The_app_channel_exists_only_when_enabled_and_its_name_is_then_taken()
    {
        Assert.Contains(StartupErrorsOf(_ => { }, ("Channels:Default", "app")),
            e => e.Contains("Backchannel:Channels:Default 'app' is not a configured channel", StringComparison.Ordinal));
        Assert.Empty(StartupErrorsOf(_ => { }, ("Channels:Default", "app"), ("Channels:App:Enabled", "true")));
        Assert.Contains(StartupErrorsOf(builder => builder.AddChannel<DeliveringChannel>("app"), ("Channels:App:Enabled", "true")),
            e => e.Contains("The channel type 'app' is added more than once", StringComparison.Ordinal));
    }

    private static IReadOnlyList<string> StartupErrorsOf(Action<Backchannel.Abstractions.BackchannelBuilder> addChannels, params (string Key, string Value)[] settings)
    {
        using var provider = ChannelServices.Compose(new Dictionary<string, string?>
        {
            ["Issuer"] = "https://op.example",
            ["Channels:Http:Url"] = "https://device.example/notify",
            ["Channels:Http:Token"] = "device-service-token-0123456789",
        }, settings, addChannels);
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
}
