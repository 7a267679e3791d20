using Backchannel.Domain;

namespace Backchannel.Channels;

/// <summary>What an authentication device is told about a new request.</summary>
public sealed record DeviceNotification(AuthenticationRequest Request, string? ClientName);
