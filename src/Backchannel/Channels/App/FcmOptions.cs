namespace Backchannel.Channels.App;

/// <summary>Firebase Cloud Messaging (HTTP v1 API): <c>Backchannel:Channels:App:Fcm</c>. Off while <see cref="ServiceAccountFile"/> is empty.</summary>
public sealed class FcmOptions
{
    /// <summary>Google's FCM endpoint; another one (a test server, a proxy) may stand in for it.</summary>
    public const string DefaultBaseUrl = "https://fcm.googleapis.com";

    /// <summary>The Firebase project the messages are sent in; empty: the service account file's <c>project_id</c>.</summary>
    public string? ProjectId { get; set; }

    /// <summary>The service account's JSON key file, as the Firebase console downloads it.</summary>
    public string? ServiceAccountFile { get; set; }

    /// <summary>Where <c>/v1/projects/{ProjectId}/messages:send</c> is.</summary>
    public string BaseUrl { get; set; } = DefaultBaseUrl;

    public bool Enabled => !string.IsNullOrWhiteSpace(ServiceAccountFile);
}
