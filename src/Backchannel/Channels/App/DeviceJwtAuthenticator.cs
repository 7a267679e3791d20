using Backchannel.Abstractions;
using Backchannel.Domain;
using Backchannel.Protocol;
using Microsoft.Extensions.Options;

namespace Backchannel.Channels.App;

/// <summary>
/// Authenticates a device by a JWT it signed with its registered key (<see cref="DeviceJwts"/>): the device of the
/// path, its key, the JWT's type and audience, its lifetime, and its jti, used once on every node (the replay cache in
/// the store).
/// </summary>
public sealed class DeviceJwtAuthenticator(IAppDeviceStore devices, IReplayCache replays, IOptions<ProviderOptions> provider, TimeProvider time)
{
    /// <summary>The device and the JWT's claims, or why they are refused (401 invalid_token).</summary>
    public async Task<ProtocolResult<AuthenticatedDevice>> AuthenticateAsync(string deviceId, string? jwt, string type, string audience,
        bool requireExpiry, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(jwt))
        {
            return new ProtocolError(ErrorCodes.InvalidToken, $"A JWT of type {type} signed with the device's key is required.", 401);
        }

        if (await devices.FindAsync(deviceId, cancellationToken) is not { } device)
        {
            return new ProtocolError(ErrorCodes.InvalidToken, "No device is registered with this id.", 401);
        }

        using var key = DeviceKey.FromStored(device.PublicKey);
        var verified = await DeviceJwts.VerifyAsync(jwt, key.SecurityKey, type, audience, requireExpiry, time.GetUtcNow(), provider.Value.ClockSkew);
        if (!verified.Succeeded)
        {
            return verified.Error;
        }

        if (!await replays.TryAddAsync($"device:{device.Id}:{verified.Value.Jti}", verified.Value.AcceptedUntil, cancellationToken))
        {
            return new ProtocolError(ErrorCodes.InvalidToken, "The JWT was used before (its jti): sign a new one for each call.", 401);
        }

        return new AuthenticatedDevice(device, verified.Value);
    }
}

/// <summary>A device that proved itself with a JWT, and that JWT.</summary>
public sealed record AuthenticatedDevice(AppDevice Device, VerifiedDeviceJwt Jwt);
