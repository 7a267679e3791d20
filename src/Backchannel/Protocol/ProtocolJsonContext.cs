using System.Text.Json.Serialization;

namespace Backchannel.Protocol;

/// <summary>Source-generated JSON metadata for every message the provider reads or writes on the wire.</summary>
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
[JsonSerializable(typeof(ClientInformationResponse))]
[JsonSerializable(typeof(IntrospectionResponse))]
public sealed partial class ProtocolJsonContext : JsonSerializerContext;
