using System.Collections.Concurrent;
using Backchannel.Abstractions;
using Backchannel.Domain;

namespace Backchannel.Users;

/// <summary>
/// The built-in directory: users of the store, seeded from <c>Backchannel:Users</c> and managed through the admin API.
/// Lookups are cached for <see cref="CacheLifetime"/>, so a request does not cost a query; a change made through the
/// admin API clears this node's cache (<see cref="Forget"/>), other nodes see it within that time. A disabled user is
/// not found: to the protocol it is an unknown user.
/// </summary>
public sealed class StoreUserDirectory(IUserStore store, TimeProvider time) : IUserDirectory
{
    public static readonly TimeSpan CacheLifetime = TimeSpan.FromSeconds(30);
    private const int MaxCachedLookups = 10_000;

    private readonly ConcurrentDictionary<(UserAttribute? Attribute, string Value), CachedUser> _cache = new();

    public ValueTask<User?> FindByLoginHintAsync(string loginHint, CancellationToken cancellationToken) =>
        FindAsync(null, loginHint, cancellationToken);

    public ValueTask<User?> FindBySubjectAsync(string subject, CancellationToken cancellationToken) =>
        FindAsync(UserAttribute.Subject, subject, cancellationToken);

    public ValueTask<User?> FindByEmailAsync(string email, CancellationToken cancellationToken) =>
        FindAsync(UserAttribute.Email, email, cancellationToken);

    public ValueTask<User?> FindByPhoneNumberAsync(string phoneNumber, CancellationToken cancellationToken) =>
        FindAsync(UserAttribute.PhoneNumber, phoneNumber, cancellationToken);

    public ValueTask<User?> FindByUsernameAsync(string username, CancellationToken cancellationToken) =>
        FindAsync(UserAttribute.Username, username, cancellationToken);

    /// <summary>Checks a user_code.</summary>
    public ValueTask<bool> VerifyUserCodeAsync(User user, string userCode, CancellationToken cancellationToken) =>
        VerifySecretAsync(user, userCode, record => record.UserCodeHash, cancellationToken);

    /// <summary>Checks a password.</summary>
    public ValueTask<bool> VerifyPasswordAsync(User user, string password, CancellationToken cancellationToken) =>
        VerifySecretAsync(user, password, record => record.PasswordHash, cancellationToken);

    /// <summary>A hash of nothing anyone knows, to verify against for a user without the secret.</summary>
    private static readonly Lazy<string> UnknownSecretHash = new(() => UserSecretHasher.Hash(Protocol.RandomIdentifiers.New(32)));

    /// <summary>
    /// Checks a secret of the user against the hash <paramref name="hashOf"/> picks from its record. A user without one
    /// costs the same slow hash (against <see cref="UnknownSecretHash"/>), so that the time of the answer does not tell
    /// whether the user has that secret.
    /// </summary>
    private async ValueTask<bool> VerifySecretAsync(User user, string given, Func<UserRecord, string?> hashOf, CancellationToken cancellationToken)
    {
        var record = await store.FindBySubjectAsync(user.Subject, cancellationToken);
        if (record is not null && hashOf(record) is { } hash)
        {
            return UserSecretHasher.Verify(given, hash);
        }

        _ = UserSecretHasher.Verify(given, UnknownSecretHash.Value);
        return false;
    }

    /// <summary>By an attribute, or (null) by any identifier a login_hint may be.</summary>
    private async ValueTask<User?> FindAsync(UserAttribute? attribute, string value, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (_cache.TryGetValue((attribute, value), out var cached) && cached.ExpiresAt > now)
        {
            return cached.User;
        }

        var record = attribute is { } by
            ? await store.FindByAttributeAsync(by, value, cancellationToken)
            : await store.FindByIdentifierAsync(value, cancellationToken);
        var user = record is null || record.IsDisabled ? null : User.From(record);
        if (_cache.Count >= MaxCachedLookups)
        {
            _cache.Clear();
        }

        _cache[(attribute, value)] = new CachedUser(user, now + CacheLifetime);
        return user;
    }

    /// <summary>Forgets every cached lookup (a user was changed on this node).</summary>
    public void Forget() => _cache.Clear();

    private sealed record CachedUser(User? User, DateTimeOffset ExpiresAt);
}
