using Backchannel.Abstractions;
using Backchannel.Domain;
using Microsoft.Extensions.Options;

namespace Backchannel.Users;

/// <summary>
/// Writes the configured users into the store, hashing passwords and user codes (a stored hash that still matches is
/// kept), and removes users that came from the settings and are no longer configured. Idempotent; run under the
/// seeding lock.
/// </summary>
public sealed class UserSeeder(IUserStore store, IOptions<ConfiguredUsers> options, TimeProvider time)
{
    public async Task SeedAsync(CancellationToken cancellationToken)
    {
        var configured = options.Value.Users;
        foreach (var user in configured)
        {
            var existing = await store.FindBySubjectAsync(user.Sub!, cancellationToken);
            await store.UpsertAsync(new UserRecord
            {
                Subject = user.Sub!,
                Username = Blank(user.Username),
                Email = Blank(user.Email),
                PhoneNumber = Blank(user.PhoneNumber),
                Name = Blank(user.Name),
                PasswordHash = HashOrKeep(user.Password, existing?.PasswordHash),
                UserCodeHash = HashOrKeep(user.UserCode, existing?.UserCodeHash),
                Channel = Blank(user.Channel),
                Claims = user.Claims,
                UpdatedAt = time.GetUtcNow(),
            }, cancellationToken);
        }

        await store.DeleteConfiguredExceptAsync(configured.Select(u => u.Sub!).ToList(), cancellationToken);
    }

    private static string? HashOrKeep(string? secret, string? storedHash)
    {
        if (string.IsNullOrEmpty(secret))
        {
            return null;
        }

        if (UserSecretHasher.IsHash(secret))
        {
            return secret;
        }

        return storedHash is not null && UserSecretHasher.Verify(secret, storedHash) ? storedHash : UserSecretHasher.Hash(secret);
    }

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
