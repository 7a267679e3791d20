namespace Backchannel.Configuration;

/// <summary>Outgoing notifications: client notification endpoints (ping, push) and the device service.</summary>
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

    /// <summary>How many notifications are delivered at once.</summary>
    public int MaxConcurrentDeliveries { get; set; } = 256;

    internal bool EffectiveAllowHttp(bool development) => AllowHttp ?? development;

    internal bool EffectiveAllowPrivateNetworks(bool development) => AllowPrivateNetworks ?? development;
}
