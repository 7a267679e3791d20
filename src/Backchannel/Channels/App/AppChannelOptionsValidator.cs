using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace Backchannel.Channels.App;

/// <summary>Checks <c>Backchannel:Channels:App</c> at start (the FCM service account file is read and parsed).</summary>
public sealed partial class AppChannelOptionsValidator : IValidateOptions<AppChannelOptions>
{
    public const int MaxDevicesLimit = 100;

    public ValidateOptionsResult Validate(string? name, AppChannelOptions options)
    {
        if (!options.Enabled)
        {
            return ValidateOptionsResult.Success;
        }

        var errors = new List<string>();
        if (options.MaxDevicesPerUser is < 1 or > MaxDevicesLimit)
        {
            errors.Add($"Backchannel:Channels:App:MaxDevicesPerUser must be between 1 and {MaxDevicesLimit}.");
        }

        if (options.RegistrationClients.Any(string.IsNullOrWhiteSpace))
        {
            errors.Add("Backchannel:Channels:App:RegistrationClients must list client_ids (an entry is empty).");
        }

        var fcm = options.Fcm;
        if (!fcm.Enabled)
        {
            if (!string.IsNullOrWhiteSpace(fcm.ProjectId))
            {
                errors.Add("Backchannel:Channels:App:Fcm:ProjectId is set but Backchannel:Channels:App:Fcm:ServiceAccountFile is not: FCM needs the service account's key file.");
            }

            return Result(errors);
        }

        if (!Uri.TryCreate(fcm.BaseUrl, UriKind.Absolute, out var baseUrl) || baseUrl.Scheme != Uri.UriSchemeHttps
            || !string.IsNullOrEmpty(baseUrl.Query) || !string.IsNullOrEmpty(baseUrl.Fragment))
        {
            errors.Add($"Backchannel:Channels:App:Fcm:BaseUrl must be an absolute https URL without query (default {FcmOptions.DefaultBaseUrl}).");
        }

        string? json = null;
        try
        {
            json = File.ReadAllText(fcm.ServiceAccountFile!);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            errors.Add($"Backchannel:Channels:App:Fcm:ServiceAccountFile '{fcm.ServiceAccountFile}' cannot be read: {ex.Message}");
        }

        if (json is not null)
        {
            var (account, error) = GoogleServiceAccount.Parse(json);
            if (account is null)
            {
                errors.Add($"Backchannel:Channels:App:Fcm:ServiceAccountFile '{fcm.ServiceAccountFile}' cannot be used: {error}.");
            }
            else
            {
                account.PrivateKey.Dispose();
                var project = string.IsNullOrWhiteSpace(fcm.ProjectId) ? account.ProjectId : fcm.ProjectId;
                if (string.IsNullOrWhiteSpace(project))
                {
                    errors.Add("Backchannel:Channels:App:Fcm:ProjectId must be set: the service account file names no project_id.");
                }
                else if (!ProjectIdPattern().IsMatch(project))
                {
                    errors.Add($"Backchannel:Channels:App:Fcm:ProjectId '{project}' is not a Firebase project id (lowercase letters, digits and hyphens).");
                }
            }
        }

        return Result(errors);
    }

    private static ValidateOptionsResult Result(List<string> errors) =>
        errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,62}$", RegexOptions.CultureInvariant)]
    private static partial Regex ProjectIdPattern();
}
