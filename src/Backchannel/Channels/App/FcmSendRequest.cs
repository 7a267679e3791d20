using System.Text.Json.Serialization;

namespace Backchannel.Channels.App;

/// <summary>
/// The body of FCM's HTTP v1 <c>messages:send</c> for a wake-up: a notification that says only that a request waits
/// (no client, no binding message, no id: the app reads the details from the provider with its key), marked high
/// priority on Android so that a sleeping phone shows it.
/// </summary>
public sealed record FcmSendRequest([property: JsonPropertyName("message")] FcmMessage Message)
{
    public const string Title = "Sign-in request";
    public const string Body = "You have a request to review.";

    public static FcmSendRequest WakeUp(string registrationToken) => new(new FcmMessage(
        registrationToken,
        new FcmNotification(Title, Body),
        new Dictionary<string, string> { ["type"] = "ciba_request" },
        new FcmAndroidConfig("HIGH")));
}

public sealed record FcmMessage(
    [property: JsonPropertyName("token")] string Token,
    [property: JsonPropertyName("notification")] FcmNotification Notification,
    [property: JsonPropertyName("data")] IReadOnlyDictionary<string, string> Data,
    [property: JsonPropertyName("android")] FcmAndroidConfig Android);

public sealed record FcmNotification(
    [property: JsonPropertyName("title")] string Title,
    [property: JsonPropertyName("body")] string Body);

public sealed record FcmAndroidConfig([property: JsonPropertyName("priority")] string Priority);
