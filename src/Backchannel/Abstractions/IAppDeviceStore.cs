using Backchannel.Domain;

namespace Backchannel.Abstractions;

/// <summary>The devices registered for the app channel, shared by every node.</summary>
public interface IAppDeviceStore
{
    /// <summary>
    /// Registers <paramref name="device"/> for its user, unless its key is another user's, or its user already has
    /// <paramref name="maxPerSubject"/> devices; registering a key of the same user again replaces its name and push
    /// token (its creation time is kept). One conditional statement decides.
    /// </summary>
    Task<DeviceRegistrationOutcome> RegisterAsync(AppDevice device, int maxPerSubject, CancellationToken cancellationToken);

    ValueTask<AppDevice?> FindAsync(string id, CancellationToken cancellationToken);

    /// <summary>The user's devices, oldest first.</summary>
    Task<IReadOnlyList<AppDevice>> ListForSubjectAsync(string subject, CancellationToken cancellationToken);

    /// <summary>Removes a device; when <paramref name="subject"/> is given, only if it is that user's. False if nothing was removed.</summary>
    Task<bool> DeleteAsync(string id, string? subject, CancellationToken cancellationToken);
}

/// <summary>What became of a device registration.</summary>
public enum DeviceRegistrationOutcome
{
    /// <summary>A new device.</summary>
    Registered,

    /// <summary>The user's device of this key, registered again: its name and push token replaced.</summary>
    Updated,

    /// <summary>The user has as many devices as allowed.</summary>
    LimitReached,

    /// <summary>The key is registered to another user.</summary>
    KeyOfAnotherUser,
}
