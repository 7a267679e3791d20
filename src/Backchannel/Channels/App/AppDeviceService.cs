using System.Text.Json;
using Backchannel.Abstractions;
using Backchannel.Domain;
using Backchannel.Protocol;
using Backchannel.Tokens;
using Microsoft.Extensions.Options;

namespace Backchannel.Channels.App;

/// <summary>
/// Registers, lists and removes a user's app devices: for the user (the device endpoints, once the user is known) and
/// for operators (<see cref="ListAsync"/> and <see cref="RemoveAsync(string, CancellationToken)"/>, for a host's own tools;
/// the admin API reads the store itself: <c>/admin/users/{sub}/devices</c>). A registration either names the key as a JWK (<c>POST /ciba/devices</c>) or proves it
/// (<c>POST /bc-deviceRegistration</c>: a device_registration_token the key signed).
/// </summary>
public sealed class AppDeviceService(
    IAppDeviceStore devices,
    IReplayCache replays,
    ProviderUrls urls,
    IOptions<AppChannelOptions> options,
    IOptions<ProviderOptions> provider,
    TimeProvider time)
{
    public const int MaxNameLength = 64;
    public const int MaxPushTokenLength = 4096;

    /// <summary>The name of a device registered through Gluu's form without one.</summary>
    public const string DefaultName = "Device";

    /// <summary>Registers the key of <paramref name="jwk"/> for <paramref name="subject"/> (again: its name and push token replaced).</summary>
    public async Task<ProtocolResult<RegisteredDevice>> RegisterAsync(string subject, JsonElement? jwk, string? name, string? pushToken,
        CancellationToken cancellationToken)
    {
        if (jwk is not { } element)
        {
            return ProtocolError.InvalidRequest("The body must name the device's public key (jwk).");
        }

        var key = DeviceKey.Parse(element);
        if (!key.Succeeded)
        {
            return key.Error;
        }

        using (key.Value)
        {
            return await StoreAsync(subject, key.Value, name, pushToken, cancellationToken);
        }
    }

    /// <summary>
    /// Registers the key of Gluu's <c>device_registration_token</c> for <paramref name="subject"/>: a JWT of type
    /// <see cref="DeviceJwts.RegistrationType"/> that the key in its <c>jwk</c> header signed, for this endpoint, with the
    /// device's <c>name</c> and <c>push_token</c> (both optional) among its claims.
    /// </summary>
    public async Task<ProtocolResult<RegisteredDevice>> RegisterAsync(string subject, string deviceRegistrationToken, CancellationToken cancellationToken)
    {
        var key = DeviceJwts.HeaderKey(deviceRegistrationToken);
        if (!key.Succeeded)
        {
            return key.Error;
        }

        using (key.Value)
        {
            var verified = await DeviceJwts.VerifyAsync(deviceRegistrationToken, key.Value.SecurityKey, DeviceJwts.RegistrationType,
                urls.Endpoint(EndpointPaths.DeviceRegistration), requireExpiry: true, time.GetUtcNow(), provider.Value.ClockSkew);
            if (!verified.Succeeded)
            {
                return ProtocolError.InvalidRequest(verified.Error.Description);
            }

            if (!await replays.TryAddAsync($"device-registration:{key.Value.Thumbprint}:{verified.Value.Jti}", verified.Value.AcceptedUntil,
                    cancellationToken))
            {
                return ProtocolError.InvalidRequest("The device_registration_token was used before (its jti).");
            }

            var claims = verified.Value.Claims;
            return await StoreAsync(subject, key.Value, JwtPayload.String(claims, "name") ?? DefaultName,
                JwtPayload.String(claims, "push_token"), cancellationToken);
        }
    }

    /// <summary>The user's devices, oldest first.</summary>
    public async Task<IReadOnlyList<AppDeviceView>> ListAsync(string subject, CancellationToken cancellationToken) =>
        (await devices.ListForSubjectAsync(subject, cancellationToken)).Select(View).ToList();

    /// <summary>Removes the user's device; false when the user has no device of this id.</summary>
    public Task<bool> RemoveAsync(string subject, string deviceId, CancellationToken cancellationToken) =>
        devices.DeleteAsync(deviceId, subject, cancellationToken);

    /// <summary>Removes a device, whoever's it is (an operator's decision); false when there is none of this id.</summary>
    public Task<bool> RemoveAsync(string deviceId, CancellationToken cancellationToken) => devices.DeleteAsync(deviceId, null, cancellationToken);

    private AppDeviceView View(AppDevice device) => new()
    {
        DeviceId = device.Id,
        Name = device.Name,
        Push = device.PushToken is not null,
        CreatedAt = device.CreatedAt.ToUnixTimeSeconds(),
        UpdatedAt = device.UpdatedAt.ToUnixTimeSeconds(),
        RequestsEndpoint = urls.Endpoint(AppDevicePaths.Requests(device.Id)),
        DecisionsEndpoint = urls.Endpoint(AppDevicePaths.Decisions(device.Id)),
    };

    private async Task<ProtocolResult<RegisteredDevice>> StoreAsync(string subject, DeviceKey key, string? name, string? pushToken,
        CancellationToken cancellationToken)
    {
        name = name?.Trim();
        if (string.IsNullOrEmpty(name) || name.Length > MaxNameLength || name.Any(char.IsControl))
        {
            return ProtocolError.InvalidRequest($"The device's name must be 1 to {MaxNameLength} characters, without control characters.");
        }

        if (pushToken is not null && (pushToken.Length is 0 or > MaxPushTokenLength || pushToken.Any(c => c is < '!' or > '~')))
        {
            return ProtocolError.InvalidRequest($"The push_token must be an FCM registration token: 1 to {MaxPushTokenLength} printable ASCII characters.");
        }

        var now = time.GetUtcNow();
        var device = new AppDevice
        {
            Id = key.Thumbprint,
            Subject = subject,
            Name = name,
            PublicKey = key.CanonicalJson,
            PushToken = pushToken,
            CreatedAt = now,
            UpdatedAt = now,
        };
        var max = options.Value.MaxDevicesPerUser;
        return await devices.RegisterAsync(device, max, cancellationToken) switch
        {
            DeviceRegistrationOutcome.Registered => new RegisteredDevice(View(device), Created: true),
            DeviceRegistrationOutcome.Updated => new RegisteredDevice(View(await devices.FindAsync(device.Id, cancellationToken) ?? device), Created: false),
            DeviceRegistrationOutcome.LimitReached => ProtocolError.InvalidRequest(
                $"The user has {max} devices, as many as allowed (Channels:App:MaxDevicesPerUser); remove one first."),
            _ => ProtocolError.InvalidRequest("This key is registered for another user; a device needs a key of its own."),
        };
    }
}

/// <summary>A device as registered, and whether it is new (or a key registered again).</summary>
public sealed record RegisteredDevice(AppDeviceView Device, bool Created);
