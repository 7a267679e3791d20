using Backchannel.Domain;

namespace Backchannel.Abstractions;

/// <summary>What an authentication device is told about a new request.</summary>
public sealed record DeviceNotification(AuthenticationRequest Request, string? ClientName);
