namespace Backchannel.Abstractions;

/// <summary>The store engine itself: opened (and migrated) before the server takes requests, and checked for readiness.</summary>
public interface IStoreLifecycle
{
    /// <summary>Opens the store and applies pending migrations; idempotent. Throws <see cref="StoreUnavailableException"/> with a message for the operator.</summary>
    Task OpenAsync(CancellationToken cancellationToken);

    /// <summary>Throws when the store does not answer.</summary>
    Task PingAsync(CancellationToken cancellationToken);

    /// <summary>A short description for logs and the banner (engine and location, no credentials).</summary>
    string Description { get; }
}

/// <summary>The store cannot be opened or does not answer; the message says what to fix.</summary>
public sealed class StoreUnavailableException(string message, Exception? innerException = null) : Exception(message, innerException);
