using System.Text.Json.Serialization;

namespace Backchannel.Channels.Portal;

/// <summary>Source-generated JSON metadata of the portal's JSON answers.</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(PortalHistoryJson))]
public sealed partial class PortalJsonContext : JsonSerializerContext;
