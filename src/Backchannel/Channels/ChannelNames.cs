namespace Backchannel.Channels;

public static class ChannelNames
{
    /// <summary>The external HTTP device service.</summary>
    public const string Http = "http";

    /// <summary>Development: the approval command is written to the server log.</summary>
    public const string Log = "log";
}
