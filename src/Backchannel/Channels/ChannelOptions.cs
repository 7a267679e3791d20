namespace Backchannel.Channels;

/// <summary>Authentication-device channels, how the user is reached: <c>Backchannel:Channels</c>.</summary>
public sealed class ChannelOptions
{
    /// <summary>
    /// The channel of requests no rule, user or client chooses for: a channel name, or several separated by commas (each
    /// notified). Empty: <c>http</c> when <c>Channels:Http:Url</c> is set, else in Development <c>portal</c> (when the
    /// portal is on) or <c>log</c>.
    /// </summary>
    public string? Default { get; set; }

    /// <summary>The external HTTP device service: the channel named <c>http</c>.</summary>
    public HttpChannelOptions Http { get; set; } = new();

    /// <summary>The user's web portal: the channel named <c>portal</c>.</summary>
    public PortalChannelOptions Portal { get; set; } = new();

    /// <summary>The verification mail: the channel named <c>email</c>.</summary>
    public EmailChannelOptions Email { get; set; } = new();

    /// <summary>More channels, by name: several device services (<c>Type</c> http), or channels of types the host registered.</summary>
    public Dictionary<string, ChannelInstanceOptions> Instances { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Rules, tried in order before the user's and the client's channel: the first that matches a request chooses its channel.</summary>
    public List<ChannelRule> Rules { get; set; } = [];
}

/// <summary>The built-in external HTTP device service.</summary>
public sealed class HttpChannelOptions
{
    /// <summary>The URL the provider POSTs each new request to.</summary>
    public string? Url { get; set; }

    /// <summary>The shared secret sent as <c>Authorization: Bearer</c>.</summary>
    public string? Token { get; set; }

    /// <summary>How long after the request the device is notified (0: at once).</summary>
    public int DelaySeconds { get; set; }
}

/// <summary>A named channel of <c>Channels:Instances</c>.</summary>
public sealed class ChannelInstanceOptions
{
    /// <summary>The channel type: <c>http</c>, or a type the host registered (<c>AddChannelType</c>).</summary>
    public string? Type { get; set; }

    public string? Url { get; set; }

    public string? Token { get; set; }

    /// <summary>How long after the request the device is notified (0: at once).</summary>
    public int DelaySeconds { get; set; }
}

/// <summary>
/// A channel rule: requests of the listed clients (any client when empty) whose lifetime lies within the bounds go to
/// <see cref="Channel"/>. Auth0 sends short requests to a push app and long ones to e-mail, for example.
/// </summary>
public sealed class ChannelRule
{
    /// <summary>A channel name, or several separated by commas: each is notified, and the first decision wins.</summary>
    public string? Channel { get; set; }

    public List<string> Clients { get; set; } = [];

    /// <summary>The rule applies to requests that live at least this long.</summary>
    public int? MinExpirySeconds { get; set; }

    /// <summary>The rule applies to requests that live at most this long.</summary>
    public int? MaxExpirySeconds { get; set; }

    public bool Matches(string clientId, int expirySeconds) =>
        (Clients.Count == 0 || Clients.Contains(clientId, StringComparer.Ordinal))
        && (MinExpirySeconds is not { } min || expirySeconds >= min)
        && (MaxExpirySeconds is not { } max || expirySeconds <= max);
}
