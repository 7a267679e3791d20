namespace Backchannel.Channels.App;

/// <summary>The app channel, users' own devices with keys of their own: <c>Backchannel:Channels:App</c>.</summary>
public sealed class AppChannelOptions
{
    /// <summary>The channel's name, as rules, users, clients and <c>Channels:Default</c> name it.</summary>
    public const string ChannelName = "app";

    /// <summary>Whether the channel exists, with its endpoints (<c>/bc-deviceRegistration</c>, <c>/ciba/devices</c>).</summary>
    public bool Enabled { get; set; }

    /// <summary>How many devices one user may register.</summary>
    public int MaxDevicesPerUser { get; set; } = 10;

    /// <summary>
    /// The clients whose ID tokens may register and manage a user's devices (as <c>id_token_hint</c>); empty: an ID token
    /// of any client. Name the client of your own app here.
    /// </summary>
    public List<string> RegistrationClients { get; set; } = [];

    /// <summary>Wake-ups through Firebase Cloud Messaging for devices that registered a push token.</summary>
    public FcmOptions Fcm { get; set; } = new();
}
