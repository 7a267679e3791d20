using Backchannel.Clients;
using Backchannel.Users;

namespace Backchannel.Configuration;

/// <summary>The settings of the provider: the configuration section <c>Backchannel</c>.</summary>
public sealed class BackchannelOptions
{
    public const string SectionName = "Backchannel";

    /// <summary>The issuer identifier: an absolute https URL (http is accepted for loopback and in Development).</summary>
    public string? Issuer { get; set; }

    public StorageOptions Storage { get; set; } = new();

    public CibaOptions Ciba { get; set; } = new();

    public TokenOptions Tokens { get; set; } = new();

    public NotificationOptions Notifications { get; set; } = new();

    public ChannelOptions Channels { get; set; } = new();

    /// <summary>Clients registered by configuration, in the RFC 7591 client-metadata vocabulary.</summary>
    public List<ClientMetadata> Clients { get; set; } = [];

    /// <summary>Users of the built-in directory.</summary>
    public List<UserSettings> Users { get; set; } = [];

    public DemoOptions Demo { get; set; } = new();

    /// <summary>The issuer without a trailing slash; valid after options validation.</summary>
    internal string IssuerUri => (Issuer ?? string.Empty).TrimEnd('/');
}
