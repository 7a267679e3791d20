using Backchannel.Clients;
using Backchannel.Protocol;

namespace Backchannel.Channels;

/// <summary>What an authentication device is told about a new request.</summary>
public sealed record DeviceNotification(AuthenticationRequest Request, Client? Client, string CallbackUrl, string CallbackToken);
