using Backchannel.Abstractions;
using Backchannel.Domain;

namespace Backchannel.Tests.Storage.Contract;

/// <summary>
/// The contract of <see cref="IUserStore"/>'s admin side: users listed by subject a page at a time, created only when their
/// subject and identifiers are free, replaced only at the version read; a disabled state and a source that round-trip,
/// and a disabled state that seeding keeps.
/// </summary>
public abstract class UserWriteContract : StoreContract
{
    private IUserStore Users => Stores.Users;

    private static UserRecord User(string subject, string? username = null, string? email = null, string? phone = null) => new()
    {
        Subject = subject,
        Username = username,
        Email = email,
        PhoneNumber = phone,
        Source = UserSources.Admin,
        UpdatedAt = Now,
    };

    private Task<UserWriteResult> CreateAsync(UserRecord user) => Users.CreateAsync(user, CancellationToken.None);

    private ValueTask<UserRecord?> FindAsync(string subject) => Users.FindBySubjectAsync(subject, CancellationToken.None);

    [Fact]
    public async Task Created_user_is_found_with_its_source_version_and_disabled_state()
    {
        var user = User("u1", "una", "una@example.com", "+15550001") with
        {
            Name = "Una",
            PasswordHash = "hash-1",
            UserCodeHash = "hash-2",
            Channel = "portal",
            Claims = new Dictionary<string, string> { ["locale"] = "de-DE" },
            DisabledAt = Now.AddSeconds(-5),
        };

        Assert.Equal(UserWriteResult.Written, await CreateAsync(user));
        var found = await FindAsync("u1");

        Assert.NotNull(found);
        Assert.Equal(user with { Claims = found.Claims }, found);
        Assert.Equal(user.Claims, found.Claims);
        Assert.Equal(1, found.Version);
        Assert.Equal(UserSources.Admin, found.Source);
        Assert.True(found.IsDisabled);
    }

    [Fact]
    public async Task Create_refuses_a_taken_subject_and_identifiers_of_another_user_in_any_attribute()
    {
        await CreateAsync(User("u1", "una", "Una@Example.com", "+15550001"));

        Assert.Equal(UserWriteResult.Exists, await CreateAsync(User("u1")));
        Assert.Equal(UserWriteResult.IdentifierTaken, await CreateAsync(User("u2", username: "una")));
        Assert.Equal(UserWriteResult.IdentifierTaken, await CreateAsync(User("u2", email: "una@example.COM")));
        Assert.Equal(UserWriteResult.IdentifierTaken, await CreateAsync(User("u2", phone: "+15550001")));
        // Across attributes: a login_hint is matched against every one.
        Assert.Equal(UserWriteResult.IdentifierTaken, await CreateAsync(User("u2", username: "u1")));
        Assert.Equal(UserWriteResult.IdentifierTaken, await CreateAsync(User("una")));
        Assert.Equal(UserWriteResult.IdentifierTaken, await CreateAsync(User("u2", phone: "una")));
        Assert.Null(await FindAsync("u2"));
        Assert.Equal(UserWriteResult.Written, await CreateAsync(User("u2", "dos", "dos@example.com")));
    }

    [Fact]
    public async Task Replace_happens_only_at_the_version_read_and_increments_it()
    {
        await CreateAsync(User("u1", "una"));

        var renamed = User("u1", "uno") with { Name = "Uno", DisabledAt = Now, UpdatedAt = Now.AddSeconds(1) };
        Assert.Equal(UserWriteResult.Written, await Users.ReplaceAsync(renamed, 1, CancellationToken.None));
        Assert.Equal(UserWriteResult.VersionChanged, await Users.ReplaceAsync(User("u1", "ein"), 1, CancellationToken.None));
        Assert.Equal(UserWriteResult.NotFound, await Users.ReplaceAsync(User("nobody"), 1, CancellationToken.None));

        var found = await FindAsync("u1");
        Assert.NotNull(found);
        Assert.Equal("uno", found.Username);
        Assert.Equal("Uno", found.Name);
        Assert.Equal(2, found.Version);
        Assert.Equal(Now, found.DisabledAt);
        Assert.Equal(Now.AddSeconds(1), found.UpdatedAt);
        Assert.Equal(UserSources.Admin, found.Source);
    }

    [Fact]
    public async Task Replace_refuses_another_user_s_identifier_but_keeps_its_own()
    {
        await CreateAsync(User("u1", "una", "una@example.com"));
        await CreateAsync(User("u2", "dos"));

        Assert.Equal(UserWriteResult.IdentifierTaken, await Users.ReplaceAsync(User("u2", "una"), 1, CancellationToken.None));
        Assert.Equal(UserWriteResult.Written, await Users.ReplaceAsync(User("u1", "una", "una@example.com") with { Name = "Una" }, 1, CancellationToken.None));
        Assert.Equal("dos", (await FindAsync("u2"))!.Username);
    }

    [Fact]
    public async Task Users_are_listed_by_subject_a_page_at_a_time()
    {
        foreach (var subject in new[] { "c", "a", "B", "b", "d" })
        {
            await CreateAsync(User(subject));
        }

        var first = await Users.ListAsync(null, 2, CancellationToken.None);
        var second = await Users.ListAsync(first[^1].Subject, 2, CancellationToken.None);
        var third = await Users.ListAsync(second[^1].Subject, 2, CancellationToken.None);

        // Ordinal: upper case before lower case.
        Assert.Equal(["B", "a", "b", "c", "d"], first.Concat(second).Concat(third).Select(u => u.Subject));
        Assert.Empty(await Users.ListAsync("d", 2, CancellationToken.None));
    }

    [Fact]
    public async Task Seeding_keeps_the_disabled_state_and_writes_a_new_version()
    {
        await Users.UpsertAsync(User("u1", "una") with { Source = UserSources.Settings }, CancellationToken.None);
        var seeded = await FindAsync("u1");
        Assert.NotNull(seeded);
        Assert.Equal(UserWriteResult.Written, await Users.ReplaceAsync(seeded with { DisabledAt = Now }, seeded.Version, CancellationToken.None));

        await Users.UpsertAsync(User("u1", "una") with { Source = UserSources.Settings, Name = "Una" }, CancellationToken.None);
        var found = await FindAsync("u1");

        Assert.NotNull(found);
        Assert.Equal("Una", found.Name);
        Assert.Equal(Now, found.DisabledAt);
        Assert.Equal(seeded.Version + 2, found.Version);
        Assert.Equal(UserSources.Settings, found.Source);
    }

    [Fact]
    public async Task Users_created_here_survive_the_removal_of_unconfigured_users()
    {
        await CreateAsync(User("admin-made"));
        await Users.UpsertAsync(User("configured") with { Source = UserSources.Settings }, CancellationToken.None);

        Assert.Equal(1, await Users.DeleteConfiguredExceptAsync([], CancellationToken.None));

        Assert.NotNull(await FindAsync("admin-made"));
        Assert.Null(await FindAsync("configured"));
    }
}
