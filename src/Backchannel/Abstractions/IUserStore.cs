using Backchannel.Domain;

namespace Backchannel.Abstractions;

/// <summary>The built-in user directory's table.</summary>
public interface IUserStore
{
    /// <summary>Adds or replaces a configured user (seeding): its version increments, its disabled state is kept.</summary>
    Task UpsertAsync(UserRecord user, CancellationToken cancellationToken);

    /// <summary>Removes users that came from the settings and are no longer configured.</summary>
    Task<int> DeleteConfiguredExceptAsync(IReadOnlyList<string> subjects, CancellationToken cancellationToken);

    ValueTask<UserRecord?> FindBySubjectAsync(string subject, CancellationToken cancellationToken);

    /// <summary>Finds the one user whose sub, username, e-mail or phone number is <paramref name="identifier"/>; null when none or several have it.</summary>
    ValueTask<UserRecord?> FindByIdentifierAsync(string identifier, CancellationToken cancellationToken);

    ValueTask<UserRecord?> FindByAttributeAsync(UserAttribute attribute, string value, CancellationToken cancellationToken);

    /// <summary>Users ordered by subject (ordinal), those after <paramref name="after"/> when given, at most <paramref name="limit"/>; disabled ones too.</summary>
    Task<IReadOnlyList<UserRecord>> ListAsync(string? after, int limit, CancellationToken cancellationToken);

    /// <summary>
    /// Adds <paramref name="user"/> (its version 1) unless a user has its subject (<see cref="UserWriteResult.Exists"/>) or
    /// another user has one of its identifiers as any of its own (<see cref="UserWriteResult.IdentifierTaken"/>).
    /// </summary>
    Task<UserWriteResult> CreateAsync(UserRecord user, CancellationToken cancellationToken);

    /// <summary>
    /// Replaces the user of <paramref name="user"/>'s subject with it (every field, its source kept, its version
    /// <paramref name="expectedVersion"/> + 1) if its stored version is still <paramref name="expectedVersion"/> and no
    /// other user has one of its identifiers as any of its own.
    /// </summary>
    Task<UserWriteResult> ReplaceAsync(UserRecord user, int expectedVersion, CancellationToken cancellationToken);
}
