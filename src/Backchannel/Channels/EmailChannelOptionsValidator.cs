using Microsoft.Extensions.Options;

namespace Backchannel.Channels;

/// <summary>Checks <c>Backchannel:Channels:Email</c> at start, when the e-mail channel is configured (<c>SmtpHost</c> set).</summary>
public sealed class EmailChannelOptionsValidator : IValidateOptions<ChannelOptions>
{
    private const string Section = "Backchannel:Channels:Email";

    public ValidateOptionsResult Validate(string? name, ChannelOptions options)
    {
        var email = options.Email;
        if (!email.Configured)
        {
            return ValidateOptionsResult.Success;
        }

        var errors = new List<string>();
        if (Uri.CheckHostName(email.SmtpHost) == UriHostNameType.Unknown)
        {
            errors.Add($"{Section}:SmtpHost '{email.SmtpHost}' is not a host name or address.");
        }

        if (email.SmtpPort is < 0 or > 65535)
        {
            errors.Add($"{Section}:SmtpPort must be a port number (1 to 65535), or 0 for the usual port of Security.");
        }

        if (!Enum.IsDefined(email.Security))
        {
            errors.Add($"{Section}:Security must be None, StartTls or SslOnConnect.");
        }

        if (string.IsNullOrEmpty(email.From) || !MailAddresses.TryParse(email.From, out _))
        {
            errors.Add($"{Section}:From must be the sender's e-mail address (e.g. no-reply@example.com or \"Sign-in <no-reply@example.com>\").");
        }

        if (!string.IsNullOrEmpty(email.Username) && string.IsNullOrEmpty(email.Password))
        {
            errors.Add($"{Section}:Password must be set with Username.");
        }

        foreach (var (setting, addresses) in new[] { ("Cc", email.Cc), ("Bcc", email.Bcc) })
        {
            for (var i = 0; i < addresses.Count; i++)
            {
                if (!MailAddresses.TryParse(addresses[i], out _))
                {
                    errors.Add($"{Section}:{setting}:{i} '{addresses[i]}' is not an e-mail address.");
                }
            }
        }

        for (var i = 0; i < email.AddressAttributes.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(email.AddressAttributes[i]))
            {
                errors.Add($"{Section}:AddressAttributes:{i} must name a user attribute (email, or a claim).");
            }
        }

        if (email.Subject is { } subject && subject.Length > 512)
        {
            errors.Add($"{Section}:Subject must be at most 512 characters.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
