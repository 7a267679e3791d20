namespace Backchannel.Configuration;

/// <summary>Authentication-device channels: how the user is reached.</summary>
public sealed class ChannelOptions
{
    /// <summary>The channel of users who name none: <c>http</c> or <c>log</c> (Development only). Empty: <c>http</c> when its URL is set, else <c>log</c> in Development.</summary>
    public string? Default { get; set; }

    public HttpChannelOptions Http { get; set; } = new();
}

/// <summary>The external HTTP device service.</summary>
public sealed class HttpChannelOptions
{
    /// <summary>The URL the provider POSTs each new request to.</summary>
    public string? Url { get; set; }

    /// <summary>The shared secret sent as <c>Authorization: Bearer</c>.</summary>
    public string? Token { get; set; }
}
