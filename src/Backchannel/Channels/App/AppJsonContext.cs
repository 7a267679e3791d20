using System.Text.Json.Serialization;

namespace Backchannel.Channels.App;

/// <summary>Source-generated JSON metadata for what the app channel reads and writes: its device API, FCM and Google's token endpoint.</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, UseStringEnumConverter = false)]
[JsonSerializable(typeof(AppDeviceRegistrationBody))]
[JsonSerializable(typeof(AppDeviceView))]
[JsonSerializable(typeof(AppDeviceList))]
[JsonSerializable(typeof(AppRequestView))]
[JsonSerializable(typeof(AppRequestList))]
[JsonSerializable(typeof(AppRequestClosed))]
[JsonSerializable(typeof(FcmSendRequest))]
[JsonSerializable(typeof(GoogleTokenResponse))]
[JsonSerializable(typeof(ServiceAccountKeyFile))]
public sealed partial class AppJsonContext : JsonSerializerContext;
