using Backchannel.Channels;

namespace Backchannel.Tests.Channels;

/// <summary>The portal's and the e-mail channel's settings: their checks at start, and the channels they add.</summary>
public class PortalAndEmailSettingsTests
{
    [Fact]
    public void Wrong_email_settings_are_named_at_start()
    {
        var options = new ChannelOptions
        {
            Email = new EmailChannelOptions
            {
                SmtpHost = "smtp example",
                SmtpPort = 70000,
                From = "not an address",
                Username = "mailer",
                Cc = ["audit@example.com", "nope"],
                AddressAttributes = [" "],
            },
        };

        var errors = new EmailChannelOptionsValidator().Validate(null, options).Failures!.ToList();

        Assert.Contains(errors, e => e.StartsWith("Backchannel:Channels:Email:SmtpHost 'smtp example'", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Backchannel:Channels:Email:SmtpPort", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Backchannel:Channels:Email:From", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Backchannel:Channels:Email:Password must be set with Username", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Backchannel:Channels:Email:Cc:1 'nope'", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Backchannel:Channels:Email:AddressAttributes:0", StringComparison.Ordinal));
        Assert.Equal(6, errors.Count);
    }

    [Fact]
    public void Email_settings_are_not_checked_while_the_channel_is_off() =>
        Assert.True(new EmailChannelOptionsValidator().Validate(null, new ChannelOptions { Email = new EmailChannelOptions { From = "x" } }).Succeeded);

    [Fact]
    public void Wrong_portal_settings_are_named_at_start()
    {
        var options = new ChannelOptions
        {
            Portal = new PortalChannelOptions { MaxFailedSignIns = 0, LockoutSeconds = 0, SessionMinutes = 0, SignInAttemptsPerMinutePerUser = -1 },
        };

        var errors = new PortalChannelOptionsValidator().Validate(null, options).Failures!.ToList();

        Assert.Equal(
        [
            "Backchannel:Channels:Portal:MaxFailedSignIns must be 1 or more.",
            "Backchannel:Channels:Portal:LockoutSeconds must be 1 or more.",
            "Backchannel:Channels:Portal:SessionMinutes must be 1 or more.",
            "Backchannel:Channels:Portal:SignInAttemptsPerMinutePerUser must be 0 (no limit) or more.",
        ], errors);
    }

    [Fact]
    public void In_development_the_portal_is_on_and_is_the_default_channel()
    {
        var (instances, defaultChannel) = ChannelRegistry.Plan(new ChannelOptions(), development: true, []);

        Assert.Contains(ChannelType.Portal, instances.Keys);
        Assert.Equal(ChannelType.Portal, defaultChannel);
    }

    [Fact]
    public void Without_the_portal_development_falls_back_to_the_log_channel_and_production_has_no_portal()
    {
        Assert.Equal(ChannelType.Log,
            ChannelRegistry.Plan(new ChannelOptions { Portal = new PortalChannelOptions { Enabled = false } }, development: true, []).Default);
        Assert.DoesNotContain(ChannelType.Portal, ChannelRegistry.Plan(new ChannelOptions(), development: false, []).Instances.Keys);
    }

    [Fact]
    public void The_email_channel_exists_with_an_smtp_host_and_carries_its_delay()
    {
        var options = new ChannelOptions { Email = new EmailChannelOptions { SmtpHost = "smtp.example", From = "a@example.com", DelaySeconds = 45 } };

        var (instances, _) = ChannelRegistry.Plan(options, development: false, []);

        Assert.Equal(45, instances[ChannelType.Email].DelaySeconds);
        Assert.Equal(587, options.Email.EffectivePort);
        Assert.Equal(["email"], options.Email.EffectiveAddressAttributes);
    }
}
