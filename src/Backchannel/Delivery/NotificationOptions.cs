using Microsoft.Extensions.Options;

namespace Backchannel.Delivery;

/// <summary>Outgoing notifications: client notification endpoints (ping, push) and device services: <c>Backchannel:Notifications</c>.</summary>
public sealed class NotificationOptions
{
    /// <summary>Whether http:// endpoints are accepted (false unless the environment is Development).</summary>
    public bool? AllowHttp { get; set; }

    /// <summary>Whether endpoints may resolve to loopback, private, link-local or multicast addresses (false unless Development).</summary>
    public bool? AllowPrivateNetworks { get; set; }

    /// <summary>Timeout of one delivery attempt.</summary>
    public int TimeoutSeconds { get; set; } = 10;

    /// <summary>The delay before the first retry; later retries double it (with jitter) up to <see cref="MaxRetryDelaySeconds"/>.</summary>
    public double InitialRetryDelaySeconds { get; set; } = 1;

    public double MaxRetryDelaySeconds { get; set; } = 60;

    /// <summary>The most attempts one notification gets; retries also stop when the request expires.</summary>
    public int MaxAttempts { get; set; } = 20;

    /// <summary>Whether ping and push clients are told when their request expires undecided.</summary>
    public bool NotifyOnExpiry { get; set; } = true;

    /// <summary>A PEM file of extra CA certificates trusted for outgoing TLS (client endpoints, jwks_uri, the device service), besides the system's.</summary>
    public string? TrustedCertificatesFile { get; set; }

    /// <summary>How many notifications are delivered at once, for each of the two lanes (device notifications; pings and pushes).</summary>
    public int MaxConcurrentDeliveries { get; set; } = 256;

    /// <summary>How many pings and pushes go to one client at once; more wait, so that a slow client slows only itself.</summary>
    public int MaxConcurrentPerDestination { get; set; } = 16;

    /// <summary>How long a destination that keeps failing is not called (its circuit is open) before it is tried again.</summary>
    public int CircuitBreakSeconds { get; set; } = 30;

    /// <summary>
    /// How long a node holds a message it took (to deliver it); if the node dies, another takes the message after
    /// this. Must exceed <see cref="TimeoutSeconds"/>.
    /// </summary>
    public int LeaseSeconds { get; set; } = 60;

    public bool EffectiveAllowHttp(bool development) => AllowHttp ?? development;

    public bool EffectiveAllowPrivateNetworks(bool development) => AllowPrivateNetworks ?? development;
}

public sealed class NotificationOptionsValidator : IValidateOptions<NotificationOptions>
{
    public ValidateOptionsResult Validate(string? name, NotificationOptions notifications)
    {
        var errors = new List<string>();
        foreach (var (setting, value) in new[]
                 {
                     ("TimeoutSeconds", notifications.TimeoutSeconds), ("MaxAttempts", notifications.MaxAttempts),
                     ("MaxConcurrentDeliveries", notifications.MaxConcurrentDeliveries),
                     ("MaxConcurrentPerDestination", notifications.MaxConcurrentPerDestination),
                     ("CircuitBreakSeconds", notifications.CircuitBreakSeconds),
                 })
        {
            if (value <= 0)
            {
                errors.Add($"Backchannel:Notifications:{setting} must be a positive number.");
            }
        }

        if (notifications.LeaseSeconds <= notifications.TimeoutSeconds)
        {
            errors.Add("Backchannel:Notifications:LeaseSeconds must be more than Notifications:TimeoutSeconds (a node must finish an attempt before its lease ends).");
        }

        if (!string.IsNullOrEmpty(notifications.TrustedCertificatesFile) && !File.Exists(notifications.TrustedCertificatesFile))
        {
            errors.Add($"Backchannel:Notifications:TrustedCertificatesFile names '{notifications.TrustedCertificatesFile}', which does not exist.");
        }

        if (notifications.InitialRetryDelaySeconds <= 0 || notifications.MaxRetryDelaySeconds < notifications.InitialRetryDelaySeconds)
        {
            errors.Add("Backchannel:Notifications:InitialRetryDelaySeconds must be positive and at most Notifications:MaxRetryDelaySeconds.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
