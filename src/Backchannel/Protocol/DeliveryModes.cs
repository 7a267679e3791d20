namespace Backchannel.Protocol;

/// <summary>CIBA token delivery modes.</summary>
public static class DeliveryModes
{
    public const string Poll = "poll";
    public const string Ping = "ping";
    public const string Push = "push";

    public static readonly IReadOnlyList<string> All = [Poll, Ping, Push];

    public static bool IsKnown(string? mode) => mode is Poll or Ping or Push;

    /// <summary>Whether the mode notifies the client, and so needs a notification endpoint and token.</summary>
    public static bool Notifies(string mode) => mode is Ping or Push;
}
