using System.Globalization;
using Backchannel.IntegrationTests.Infrastructure;

namespace Backchannel.IntegrationTests.Channels;

/// <summary>The settings of a provider whose requests go to the e-mail channel, through an SMTP server on loopback.</summary>
internal static class MailSettings
{
    /// <summary>Every request to the e-mail channel, mailed from no-reply@backchannel.test through the server at <paramref name="port"/>, without TLS.</summary>
    public static Dictionary<string, string?> Through(int port) => new()
    {
        ["Backchannel:Channels:Default"] = "email",
        ["Backchannel:Channels:Email:SmtpHost"] = "127.0.0.1",
        ["Backchannel:Channels:Email:SmtpPort"] = port.ToString(CultureInfo.InvariantCulture),
        ["Backchannel:Channels:Email:Security"] = "None",
        ["Backchannel:Channels:Email:From"] = "no-reply@backchannel.test",
    };
}

/// <summary>
/// A shared provider whose requests go to the e-mail channel (<see cref="MailSettings"/>), and the real SMTP server on
/// loopback (aiosmtpd) it sends through, started before it and stopped after it. Subclasses add settings.
/// </summary>
public abstract class SmtpProvider : SharedProvider
{
    private SmtpServer? _smtp;

    internal SmtpServer Smtp => _smtp ?? throw new InvalidOperationException("The SMTP server is not started.");

    protected override Dictionary<string, string?> Settings() => MailSettings.Through(Smtp.Port);

    public override async Task InitializeAsync()
    {
        _smtp = await SmtpServer.StartAsync();
        await base.InitializeAsync();
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        if (_smtp is not null)
        {
            await _smtp.DisposeAsync();
        }
    }
}
