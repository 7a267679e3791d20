using System.Text.Json.Serialization;
using Backchannel.Clients;

namespace Backchannel.Json;

/// <summary>Source-generated JSON metadata for every type the provider reads or writes.</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, UseStringEnumConverter = false)]
[JsonSerializable(typeof(BackchannelAuthenticationResponse))]
[JsonSerializable(typeof(TokenResponse))]
[JsonSerializable(typeof(ErrorResponse))]
[JsonSerializable(typeof(PingNotification))]
[JsonSerializable(typeof(PushErrorNotification))]
[JsonSerializable(typeof(DeviceCallbackBody))]
[JsonSerializable(typeof(DeviceNotificationBody))]
[JsonSerializable(typeof(DiscoveryDocument))]
[JsonSerializable(typeof(ClientMetadata))]
[JsonSerializable(typeof(IReadOnlyList<string>))]
[JsonSerializable(typeof(List<string>))]
[JsonSerializable(typeof(Dictionary<string, string>))]
public sealed partial class BackchannelJsonContext : JsonSerializerContext;
