using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Backchannel.Admin;

/// <summary>Source-generated JSON metadata of the admin API's bodies (client metadata is read with the protocol's own context).</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(AdminPage<JsonObject>))]
[JsonSerializable(typeof(JsonObject))]
[JsonSerializable(typeof(AdminUserInput))]
[JsonSerializable(typeof(AdminUserView))]
[JsonSerializable(typeof(AdminPage<AdminUserView>))]
[JsonSerializable(typeof(AdminUserDisabled))]
[JsonSerializable(typeof(AdminRequestView))]
[JsonSerializable(typeof(AdminPage<AdminRequestView>))]
[JsonSerializable(typeof(AdminPage<AdminRequestEventView>))]
[JsonSerializable(typeof(AdminCancellation))]
[JsonSerializable(typeof(AdminPage<AdminKeyView>))]
[JsonSerializable(typeof(AdminKeyRotationResult))]
[JsonSerializable(typeof(AdminPage<AdminDeviceView>))]
public sealed partial class AdminJsonContext : JsonSerializerContext;
