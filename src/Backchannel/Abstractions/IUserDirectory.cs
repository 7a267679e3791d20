using Backchannel.Domain;

namespace Backchannel.Abstractions;

/// <summary>
/// Where users come from. The built-in implementation reads the store (seeded from <c>Backchannel:Users</c>); a
/// deployment can register its own (LDAP, a customer database) with <c>services.AddSingleton&lt;IUserDirectory, ...&gt;()</c>.
/// </summary>
public interface IUserDirectory
{
    /// <summary>Resolves a login_hint: a sub, username, e-mail address or phone number.</summary>
    ValueTask<User?> FindByLoginHintAsync(string loginHint, CancellationToken cancellationToken);

    ValueTask<User?> FindBySubjectAsync(string subject, CancellationToken cancellationToken);

    ValueTask<User?> FindByEmailAsync(string email, CancellationToken cancellationToken);

    ValueTask<User?> FindByPhoneNumberAsync(string phoneNumber, CancellationToken cancellationToken);

    ValueTask<User?> FindByUsernameAsync(string username, CancellationToken cancellationToken);

    /// <summary>Checks a user_code against the user's; false when the user has none.</summary>
    ValueTask<bool> VerifyUserCodeAsync(User user, string userCode, CancellationToken cancellationToken);

    /// <summary>
    /// Checks a password against the user's (the portal's sign-in); false when the user has none. A directory that keeps
    /// no passwords keeps this default, and its users cannot sign in to the portal.
    /// </summary>
    ValueTask<bool> VerifyPasswordAsync(User user, string password, CancellationToken cancellationToken) => ValueTask.FromResult(false);
}
