using Microsoft.Extensions.Options;

namespace Backchannel.Channels;

/// <summary>Checks <c>Backchannel:Channels:Portal</c> at start.</summary>
public sealed class PortalChannelOptionsValidator : IValidateOptions<ChannelOptions>
{
    private const string Section = "Backchannel:Channels:Portal";

    public ValidateOptionsResult Validate(string? name, ChannelOptions options)
    {
        var portal = options.Portal;
        var errors = new List<string>();
        if (portal.MaxFailedSignIns < 1)
        {
            errors.Add($"{Section}:MaxFailedSignIns must be 1 or more.");
        }

        if (portal.LockoutSeconds < 1)
        {
            errors.Add($"{Section}:LockoutSeconds must be 1 or more.");
        }

        if (portal.SessionMinutes < 1)
        {
            errors.Add($"{Section}:SessionMinutes must be 1 or more.");
        }

        if (portal.SignInAttemptsPerMinutePerUser < 0)
        {
            errors.Add($"{Section}:SignInAttemptsPerMinutePerUser must be 0 (no limit) or more.");
        }

        if (portal.SignInAttemptsPerMinutePerAddress < 0)
        {
            errors.Add($"{Section}:SignInAttemptsPerMinutePerAddress must be 0 (no limit) or more.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
