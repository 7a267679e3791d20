using Backchannel.Domain;
using Backchannel.Users;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Backchannel.Channels;

/// <summary>Checks the channels at start: each instance by its type, the default, the rules and the users' channels name existing channels.</summary>
public sealed class ChannelOptionsValidator(
    IHostEnvironment environment,
    IEnumerable<ChannelType> types,
    IEnumerable<RegisteredChannel> registered,
    IOptions<ConfiguredUsers> users) : IValidateOptions<ChannelOptions>
{
    public ValidateOptionsResult Validate(string? name, ChannelOptions options)
    {
        var errors = new List<string>();
        var development = environment.IsDevelopment();
        var known = ChannelType.ByName(types);
        foreach (var twice in types.GroupBy(t => t.Name, StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1))
        {
            errors.Add($"The channel type '{twice.Key}' is added more than once (AddChannel, AddChannelType or a built-in type); give each its own name.");
        }

        foreach (var channel in registered)
        {
            if (options.Instances.Keys.Any(n => string.Equals(n, channel.Name, StringComparison.OrdinalIgnoreCase)))
            {
                errors.Add($"The channel '{channel.Name}' added in code has the name of Backchannel:Channels:Instances:{channel.Name}; give one of them another name.");
            }
        }

        var (instances, defaultChannel) = ChannelRegistry.Plan(options, development, registered);
        foreach (var listed in instances.Keys.Where(n => n.Contains(ChannelList.Separator)))
        {
            errors.Add($"The channel name '{listed}' contains '{ChannelList.Separator}', which separates the channels of a list; give it another name.");
        }

        foreach (var instance in instances.Values)
        {
            var setting = instance.Name == ChannelType.Http ? "Backchannel:Channels:Http"
                : instance.Name == ChannelType.Email && !options.Instances.ContainsKey(instance.Name) ? "Backchannel:Channels:Email"
                : $"Backchannel:Channels:Instances:{instance.Name}";
            if (!known.TryGetValue(instance.Type, out var type))
            {
                errors.Add($"{setting}:Type '{instance.Type}' is not a channel type ({string.Join(", ", known.Keys)}).");
                continue;
            }

            errors.AddRange((type.Validate?.Invoke(instance) ?? []).Select(e => $"{setting}: {e}"));
            if (instance.DelaySeconds < 0)
            {
                errors.Add($"{setting}:DelaySeconds must be 0 or more.");
            }
        }

        var names = string.Join(", ", instances.Keys);
        if (string.Equals(defaultChannel, ChannelType.Log, StringComparison.OrdinalIgnoreCase) && !instances.ContainsKey(ChannelType.Log))
        {
            errors.Add("The log channel writes approval commands to the log and only runs in Development; set Backchannel:Channels:Http:Url (or Channels:Default).");
        }
        else
        {
            errors.AddRange(ListErrors("Backchannel:Channels:Default", defaultChannel, instances, names));
        }

        for (var i = 0; i < options.Rules.Count; i++)
        {
            var rule = options.Rules[i];
            errors.AddRange(ListErrors($"Backchannel:Channels:Rules:{i}:Channel", rule.Channel, instances, names));

            if (rule.MinExpirySeconds > rule.MaxExpirySeconds)
            {
                errors.Add($"Backchannel:Channels:Rules:{i}: MinExpirySeconds must not exceed MaxExpirySeconds.");
            }
        }

        IReadOnlyList<UserSettings> userList;
        try
        {
            userList = users.Value.Users;
        }
        catch (OptionsValidationException)
        {
            userList = []; // the users' own validator reports their errors
        }

        for (var i = 0; i < userList.Count; i++)
        {
            if (userList[i].Channel is { Length: > 0 } channel)
            {
                errors.AddRange(ListErrors($"Backchannel:Users:{i}: channel", channel, instances, names));
            }
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    /// <summary>What is wrong with the channel list <paramref name="value"/> of <paramref name="setting"/>: no name, too many, or names of no channel.</summary>
    private static IEnumerable<string> ListErrors(string setting, string? value, IReadOnlyDictionary<string, ChannelInstanceSettings> instances, string names)
    {
        var channels = ChannelList.Parse(value);
        if (channels.Count == 0)
        {
            yield return $"{setting} '{value}' is not a configured channel ({names}).";
        }
        else if (channels.Count > ChannelList.MaxPerRequest)
        {
            yield return $"{setting} names {channels.Count} channels; a request is sent to at most {ChannelList.MaxPerRequest}.";
        }

        foreach (var channel in channels.Where(c => !instances.ContainsKey(c)))
        {
            yield return channels.Count == 1
                ? $"{setting} '{channel}' is not a configured channel ({names})."
                : $"{setting} '{value}' names '{channel}', which is not a configured channel ({names}).";
        }
    }
}
