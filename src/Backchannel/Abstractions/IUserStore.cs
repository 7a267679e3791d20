using Backchannel.Domain;

namespace Backchannel.Abstractions;

/// <summary>The built-in user directory's table.</summary>
public interface IUserStore
{
    Task UpsertAsync(UserRecord user, CancellationToken cancellationToken);

    /// <summary>Removes users that came from the settings and are no longer configured.</summary>
    Task<int> DeleteConfiguredExceptAsync(IReadOnlyList<string> subjects, CancellationToken cancellationToken);

    ValueTask<UserRecord?> FindBySubjectAsync(string subject, CancellationToken cancellationToken);

    /// <summary>Finds the one user whose sub, username, e-mail or phone number is <paramref name="identifier"/>; null when none or several have it.</summary>
    ValueTask<UserRecord?> FindByIdentifierAsync(string identifier, CancellationToken cancellationToken);

    ValueTask<UserRecord?> FindByAttributeAsync(UserAttribute attribute, string value, CancellationToken cancellationToken);
}
