namespace Backchannel.Channels.Portal;

/// <summary>A device of the signed-in user, as the portal lists it (the app channel's devices, read by the endpoint).</summary>
public sealed record PortalDeviceView(string Id, string Name, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, bool Push);
