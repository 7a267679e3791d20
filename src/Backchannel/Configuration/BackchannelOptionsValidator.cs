using System.Text.RegularExpressions;
using Backchannel.Channels;
using Backchannel.Clients;
using Backchannel.Protocol;
using Backchannel.Users;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Backchannel.Configuration;

/// <summary>Checks every setting at start and names the setting in each message.</summary>
public sealed class BackchannelOptionsValidator(IHostEnvironment environment) : IValidateOptions<BackchannelOptions>
{
    public ValidateOptionsResult Validate(string? name, BackchannelOptions options)
    {
        var errors = new List<string>();
        var development = environment.IsDevelopment();

        ValidateIssuer(options.Issuer, development, errors);
        ValidateStorage(options.Storage, errors);
        ValidateCiba(options.Ciba, errors);
        ValidateTokens(options.Tokens, errors);
        ValidateNotifications(options.Notifications, errors);
        ValidateChannels(options, development, errors);
        ValidateClients(options, ClientSettings(options, development), errors);
        ValidateUsers(options.Users, errors);

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    public static ClientValidationSettings ClientSettings(BackchannelOptions options, bool development) => new()
    {
        DeliveryModes = options.Ciba.EffectiveDeliveryModes,
        RequestSigningAlgorithms = options.Ciba.EffectiveRequestSigningAlgorithms,
        UserCodeSupported = options.Ciba.UserCodeSupported,
        AllowHttp = options.Notifications.EffectiveAllowHttp(development),
        AllowPrivateNetworks = options.Notifications.EffectiveAllowPrivateNetworks(development),
    };

    private static void ValidateIssuer(string? issuer, bool development, List<string> errors)
    {
        if (string.IsNullOrWhiteSpace(issuer) || !Uri.TryCreate(issuer, UriKind.Absolute, out var uri))
        {
            errors.Add("Backchannel:Issuer must be set to the provider's absolute URL, e.g. https://login.example.com.");
            return;
        }

        if (uri.Scheme != Uri.UriSchemeHttps && !(uri.Scheme == Uri.UriSchemeHttp && (uri.IsLoopback || development)))
        {
            errors.Add("Backchannel:Issuer must be an https URL (http is accepted for loopback addresses and in Development).");
        }

        if (!string.IsNullOrEmpty(uri.Query) || !string.IsNullOrEmpty(uri.Fragment))
        {
            errors.Add("Backchannel:Issuer must not have a query or a fragment.");
        }
    }

    private static void ValidateStorage(StorageOptions storage, List<string> errors)
    {
        if (storage.Provider == StorageProviders.Postgres)
        {
            errors.Add("Backchannel:Storage:Provider Postgres is not available in this version; use Sqlite.");
        }
        else if (storage.Provider != StorageProviders.Sqlite)
        {
            errors.Add($"Backchannel:Storage:Provider must be Sqlite or Postgres, not '{storage.Provider}'.");
        }

        Positive(storage.ExpiredRequestRetentionSeconds, "Storage:ExpiredRequestRetentionSeconds", errors);
        Positive(storage.CleanupIntervalSeconds, "Storage:CleanupIntervalSeconds", errors);
    }

    private static void ValidateCiba(CibaOptions ciba, List<string> errors)
    {
        Positive(ciba.DefaultExpirySeconds, "Ciba:DefaultExpirySeconds", errors);
        Positive(ciba.MaxExpirySeconds, "Ciba:MaxExpirySeconds", errors);
        Positive(ciba.PollingIntervalSeconds, "Ciba:PollingIntervalSeconds", errors);
        Positive(ciba.BindingMessageMaxLength, "Ciba:BindingMessageMaxLength", errors);
        Positive(ciba.IdTokenHintMaxAgeSeconds, "Ciba:IdTokenHintMaxAgeSeconds", errors);
        if (ciba.MaxRequestsPerUserPerMinute < 0)
        {
            errors.Add("Backchannel:Ciba:MaxRequestsPerUserPerMinute must be 0 (no limit) or more.");
        }

        if (ciba.DefaultExpirySeconds > ciba.MaxExpirySeconds)
        {
            errors.Add("Backchannel:Ciba:DefaultExpirySeconds must not exceed Ciba:MaxExpirySeconds.");
        }

        foreach (var mode in ciba.DeliveryModes.Where(m => !DeliveryModes.IsKnown(m)))
        {
            errors.Add($"Backchannel:Ciba:DeliveryModes has '{mode}'; the modes are poll, ping and push.");
        }

        foreach (var alg in ciba.RequestSigningAlgorithms.Where(a => !SigningAlgorithms.IsAsymmetric(a)))
        {
            errors.Add($"Backchannel:Ciba:RequestSigningAlgorithms has '{alg}'; only asymmetric algorithms are accepted ({string.Join(", ", SigningAlgorithms.Asymmetric)}).");
        }

        if (!string.IsNullOrEmpty(ciba.BindingMessagePattern))
        {
            try
            {
                _ = new Regex(ciba.BindingMessagePattern, RegexOptions.None, TimeSpan.FromMilliseconds(100));
            }
            catch (ArgumentException ex)
            {
                errors.Add($"Backchannel:Ciba:BindingMessagePattern is not a valid regular expression: {ex.Message}");
            }
        }
    }

    private static void ValidateTokens(TokenOptions tokens, List<string> errors)
    {
        if (!SigningAlgorithms.TokenSigning.Contains(tokens.SigningAlgorithm))
        {
            errors.Add($"Backchannel:Tokens:SigningAlgorithm must be RS256, PS256 or ES256, not '{tokens.SigningAlgorithm}'.");
        }

        Positive(tokens.AccessTokenLifetimeSeconds, "Tokens:AccessTokenLifetimeSeconds", errors);
        Positive(tokens.IdTokenLifetimeSeconds, "Tokens:IdTokenLifetimeSeconds", errors);
        Positive(tokens.RefreshTokenLifetimeSeconds, "Tokens:RefreshTokenLifetimeSeconds", errors);
        Positive(tokens.KeyRotationDays, "Tokens:KeyRotationDays", errors);
        Positive(tokens.KeyRetentionDays, "Tokens:KeyRetentionDays", errors);
        if (tokens.KeyPrePublicationDays < 0 || tokens.KeyPrePublicationDays >= tokens.KeyRotationDays)
        {
            errors.Add("Backchannel:Tokens:KeyPrePublicationDays must be 0 or more and less than Tokens:KeyRotationDays.");
        }

        foreach (var (setting, path) in new[] { ("SigningKeyFile", tokens.SigningKeyFile), ("NextSigningKeyFile", tokens.NextSigningKeyFile) })
        {
            if (!string.IsNullOrEmpty(path) && !File.Exists(path))
            {
                errors.Add($"Backchannel:Tokens:{setting} names '{path}', which does not exist.");
            }
        }

        if (string.IsNullOrEmpty(tokens.SigningKeyFile) && !string.IsNullOrEmpty(tokens.NextSigningKeyFile))
        {
            errors.Add("Backchannel:Tokens:NextSigningKeyFile needs Tokens:SigningKeyFile.");
        }
    }

    private static void ValidateNotifications(NotificationOptions notifications, List<string> errors)
    {
        Positive(notifications.TimeoutSeconds, "Notifications:TimeoutSeconds", errors);
        Positive(notifications.MaxAttempts, "Notifications:MaxAttempts", errors);
        Positive(notifications.MaxConcurrentDeliveries, "Notifications:MaxConcurrentDeliveries", errors);
        if (!string.IsNullOrEmpty(notifications.TrustedCertificatesFile) && !File.Exists(notifications.TrustedCertificatesFile))
        {
            errors.Add($"Backchannel:Notifications:TrustedCertificatesFile names '{notifications.TrustedCertificatesFile}', which does not exist.");
        }

        if (notifications.InitialRetryDelaySeconds <= 0 || notifications.MaxRetryDelaySeconds < notifications.InitialRetryDelaySeconds)
        {
            errors.Add("Backchannel:Notifications:InitialRetryDelaySeconds must be positive and at most Notifications:MaxRetryDelaySeconds.");
        }
    }

    private static void ValidateChannels(BackchannelOptions options, bool development, List<string> errors)
    {
        var channels = options.Channels;
        var used = options.Users.Select(u => u.Channel).Where(c => !string.IsNullOrEmpty(c)).Select(c => c!)
            .Append(ChannelSelector.DefaultChannel(channels, development)).Distinct(StringComparer.OrdinalIgnoreCase);
        foreach (var channel in used)
        {
            switch (channel.ToLowerInvariant())
            {
                case ChannelNames.Http:
                    if (string.IsNullOrEmpty(channels.Http.Url) || !Uri.TryCreate(channels.Http.Url, UriKind.Absolute, out var url)
                        || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
                    {
                        errors.Add("Backchannel:Channels:Http:Url must be the device service's absolute http(s) URL (the http channel is in use).");
                    }

                    break;
                case ChannelNames.Log:
                    if (!development)
                    {
                        errors.Add("The log channel writes approval links to the log and only runs in Development; set Backchannel:Channels:Http:Url.");
                    }

                    break;
                default:
                    errors.Add($"The channel '{channel}' is unknown (Backchannel:Channels:Default or a user's channel); the channels are http and log.");
                    break;
            }
        }
    }

    private static void ValidateClients(BackchannelOptions options, ClientValidationSettings settings, List<string> errors)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < options.Clients.Count; i++)
        {
            var metadata = options.Clients[i];
            var result = ClientMetadataValidator.Validate(metadata, settings);
            errors.AddRange(result.Errors.Select(e => $"Backchannel:Clients:{i} ({metadata.ClientId ?? "no client_id"}): {e}."));
            if (metadata.ClientId is { } id && !seen.Add(id))
            {
                errors.Add($"Backchannel:Clients:{i}: client_id '{id}' is registered twice.");
            }
        }
    }

    private static void ValidateUsers(List<UserSettings> users, List<string> errors)
    {
        var keys = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < users.Count; i++)
        {
            var user = users[i];
            if (string.IsNullOrWhiteSpace(user.Sub))
            {
                errors.Add($"Backchannel:Users:{i}: sub is required.");
                continue;
            }

            foreach (var (kind, value) in new[] { ("sub", user.Sub), ("username", user.Username), ("email", user.Email), ("phone_number", user.PhoneNumber) })
            {
                if (!string.IsNullOrEmpty(value) && !keys.Add($"{kind}:{value}"))
                {
                    errors.Add($"Backchannel:Users:{i}: {kind} '{value}' belongs to another user too.");
                }
            }
        }
    }

    private static void Positive(int value, string setting, List<string> errors)
    {
        if (value <= 0)
        {
            errors.Add($"Backchannel:{setting} must be a positive number.");
        }
    }
}
