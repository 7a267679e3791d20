using Backchannel.Storage;

namespace Backchannel.Users;

/// <summary>The built-in directory: users of the store, seeded from <c>Backchannel:Users</c>.</summary>
public sealed class StoreUserDirectory(IUserStore store) : IUserDirectory
{
    public async ValueTask<User?> FindByLoginHintAsync(string loginHint, CancellationToken cancellationToken) =>
        ToUser(await store.FindByIdentifierAsync(loginHint, cancellationToken));

    public async ValueTask<User?> FindBySubjectAsync(string subject, CancellationToken cancellationToken) =>
        ToUser(await store.FindByAttributeAsync(UserAttribute.Subject, subject, cancellationToken));

    public async ValueTask<User?> FindByEmailAsync(string email, CancellationToken cancellationToken) =>
        ToUser(await store.FindByAttributeAsync(UserAttribute.Email, email, cancellationToken));

    public async ValueTask<User?> FindByPhoneNumberAsync(string phoneNumber, CancellationToken cancellationToken) =>
        ToUser(await store.FindByAttributeAsync(UserAttribute.PhoneNumber, phoneNumber, cancellationToken));

    public async ValueTask<User?> FindByUsernameAsync(string username, CancellationToken cancellationToken) =>
        ToUser(await store.FindByAttributeAsync(UserAttribute.Username, username, cancellationToken));

    public async ValueTask<bool> VerifyUserCodeAsync(User user, string userCode, CancellationToken cancellationToken)
    {
        var record = await store.FindBySubjectAsync(user.Subject, cancellationToken);
        return record?.UserCodeHash is { } hash && PasswordHasher.Verify(userCode, hash);
    }

    private static User? ToUser(UserRecord? record) => record is null ? null : User.From(record);
}
