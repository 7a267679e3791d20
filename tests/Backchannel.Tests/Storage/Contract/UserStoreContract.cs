using Backchannel.Abstractions;
using Backchannel.Domain;

namespace Backchannel.Tests.Storage.Contract;

/// <summary>The contract of <see cref="IUserStore"/>: the built-in directory's users and how they are found.</summary>
public abstract class UserStoreContract : StoreContract
{
    private IUserStore Users => Stores.Users;

    private static UserRecord User(string subject, string? username = null, string? email = null, string? phone = null) => new()
    {
        Subject = subject,
        Username = username,
        Email = email,
        PhoneNumber = phone,
        UpdatedAt = Now,
    };

    private Task UpsertAsync(UserRecord user) => Users.UpsertAsync(user, CancellationToken.None);

    private ValueTask<UserRecord?> FindAsync(string identifier) => Users.FindByIdentifierAsync(identifier, CancellationToken.None);

    private ValueTask<UserRecord?> FindAsync(UserAttribute attribute, string value) =>
        Users.FindByAttributeAsync(attribute, value, CancellationToken.None);

    [Fact]
    public async Task Upserted_user_is_found_with_every_field()
    {
        var user = new UserRecord
        {
            Subject = "248289761001",
            Username = "alice",
            Email = "alice@example.com",
            PhoneNumber = "+33612345678",
            Name = "Alice Liddell",
            PasswordHash = "AQAAAAIAAYagAAAAEJ...",
            UserCodeHash = "AQAAAAIAAYagAAAAEK...",
            Channel = "portal",
            Claims = new Dictionary<string, string> { ["given_name"] = "Alice", ["locale"] = "fr-FR", ["note"] = "\u00e9\U0001F431" },
            UpdatedAt = Now,
        };

        await UpsertAsync(user);
        var found = await Users.FindBySubjectAsync("248289761001", CancellationToken.None);

        Assert.NotNull(found);
        Assert.Equal(user.Subject, found.Subject);
        Assert.Equal(user.Username, found.Username);
        Assert.Equal(user.Email, found.Email);
        Assert.Equal(user.PhoneNumber, found.PhoneNumber);
        Assert.Equal(user.Name, found.Name);
        Assert.Equal(user.PasswordHash, found.PasswordHash);
        Assert.Equal(user.UserCodeHash, found.UserCodeHash);
        Assert.Equal(user.Channel, found.Channel);
        Assert.Equal(user.Claims.OrderBy(c => c.Key, StringComparer.Ordinal), found.Claims.OrderBy(c => c.Key, StringComparer.Ordinal));
        Assert.Equal(user.UpdatedAt, found.UpdatedAt);
    }

    [Fact]
    public async Task User_with_only_a_subject_round_trips_nulls_and_no_claims()
    {
        await UpsertAsync(User("bob"));

        var found = await Users.FindBySubjectAsync("bob", CancellationToken.None);

        Assert.NotNull(found);
        Assert.Null(found.Username);
        Assert.Null(found.Email);
        Assert.Null(found.PhoneNumber);
        Assert.Null(found.Name);
        Assert.Null(found.PasswordHash);
        Assert.Null(found.UserCodeHash);
        Assert.Null(found.Channel);
        Assert.Empty(found.Claims);
    }

    [Fact]
    public async Task Upsert_replaces_a_user_of_the_same_subject()
    {
        await UpsertAsync(User("alice", "alice", "alice@example.com", "+100") with { Name = "Alice", Channel = "http" });

        await UpsertAsync(User("alice", "alice2", "alice2@example.com", "+200") with { UpdatedAt = Now.AddHours(1) });

        var found = await Users.FindBySubjectAsync("alice", CancellationToken.None);
        Assert.NotNull(found);
        Assert.Equal("alice2", found.Username);
        Assert.Equal("alice2@example.com", found.Email);
        Assert.Equal("+200", found.PhoneNumber);
        Assert.Null(found.Name);
        Assert.Null(found.Channel);
        Assert.Equal(Now.AddHours(1), found.UpdatedAt);
        Assert.Null(await FindAsync(UserAttribute.Username, "alice"));
        Assert.Null(await FindAsync(UserAttribute.Email, "alice@example.com"));
        Assert.Null(await FindAsync(UserAttribute.PhoneNumber, "+100"));
    }

    [Fact]
    public async Task Users_are_found_by_each_attribute()
    {
        await UpsertAsync(User("sub-alice", "alice", "alice@example.com", "+100"));
        await UpsertAsync(User("sub-bob", "bob", "bob@example.com", "+200"));

        Assert.Equal("sub-alice", (await FindAsync(UserAttribute.Subject, "sub-alice"))?.Subject);
        Assert.Equal("sub-alice", (await FindAsync(UserAttribute.Username, "alice"))?.Subject);
        Assert.Equal("sub-alice", (await FindAsync(UserAttribute.Email, "alice@example.com"))?.Subject);
        Assert.Equal("sub-alice", (await FindAsync(UserAttribute.PhoneNumber, "+100"))?.Subject);
        Assert.Equal("sub-bob", (await FindAsync(UserAttribute.PhoneNumber, "+200"))?.Subject);

        // An attribute is looked up as that attribute only.
        Assert.Null(await FindAsync(UserAttribute.Username, "sub-alice"));
        Assert.Null(await FindAsync(UserAttribute.Email, "alice"));
        Assert.Null(await FindAsync(UserAttribute.Subject, "alice"));
        Assert.Null(await FindAsync(UserAttribute.PhoneNumber, "alice@example.com"));
        Assert.Null(await Users.FindBySubjectAsync("carol", CancellationToken.None));
    }

    [Fact]
    public async Task Identifiers_find_by_sub_username_email_or_phone()
    {
        await UpsertAsync(User("sub-alice", "alice", "alice@example.com", "+100"));

        foreach (var identifier in new[] { "sub-alice", "alice", "alice@example.com", "+100" })
        {
            Assert.Equal("sub-alice", (await FindAsync(identifier))?.Subject);
        }

        Assert.Null(await FindAsync("carol"));
    }

    [Fact]
    public async Task An_identifier_that_two_users_have_finds_neither()
    {
        // One user's username is another's e-mail address: a login_hint must never pick one of them.
        await UpsertAsync(User("by-email", email: "x", phone: "y"));
        await UpsertAsync(User("by-username", username: "x", email: "z"));
        await UpsertAsync(User("x"));

        Assert.Null(await FindAsync("x"));
        Assert.Equal("by-email", (await FindAsync("y"))?.Subject);
        Assert.Equal("by-username", (await FindAsync("z"))?.Subject);

        // Lookups by one attribute stay exact.
        Assert.Equal("by-email", (await FindAsync(UserAttribute.Email, "x"))?.Subject);
        Assert.Equal("by-username", (await FindAsync(UserAttribute.Username, "x"))?.Subject);
        Assert.Equal("x", (await FindAsync(UserAttribute.Subject, "x"))?.Subject);
    }

    [Fact]
    public async Task Email_is_found_case_insensitively()
    {
        await UpsertAsync(User("sub-alice", "alice", "Alice@Example.com"));

        Assert.Equal("sub-alice", (await FindAsync(UserAttribute.Email, "alice@example.com"))?.Subject);
        Assert.Equal("sub-alice", (await FindAsync(UserAttribute.Email, "ALICE@EXAMPLE.COM"))?.Subject);
        Assert.Equal("sub-alice", (await FindAsync("aLiCe@eXaMpLe.CoM"))?.Subject);
        Assert.Equal("Alice@Example.com", (await FindAsync("alice@example.com"))?.Email);
    }

    [Fact]
    public async Task An_identifier_given_to_another_user_finds_that_user()
    {
        await UpsertAsync(User("alice", "alice", "shared@example.com", "+100"));

        await UpsertAsync(User("bob", "bob", "Shared@Example.com", "+200"));

        Assert.Equal("bob", (await FindAsync(UserAttribute.Email, "shared@example.com"))?.Subject);
        Assert.Equal("bob", (await FindAsync("shared@example.com"))?.Subject);
        Assert.Equal("bob", (await FindAsync(UserAttribute.Username, "bob"))?.Subject);
    }

    [Fact]
    public async Task Delete_configured_except_removes_the_users_no_longer_configured()
    {
        await UpsertAsync(User("alice", "alice"));
        await UpsertAsync(User("bob", "bob"));
        await UpsertAsync(User("carol", "carol"));

        Assert.Equal(2, await Users.DeleteConfiguredExceptAsync(["bob", "dave"], CancellationToken.None));

        Assert.Null(await Users.FindBySubjectAsync("alice", CancellationToken.None));
        Assert.Null(await FindAsync("carol"));
        Assert.NotNull(await Users.FindBySubjectAsync("bob", CancellationToken.None));
        Assert.Equal(0, await Users.DeleteConfiguredExceptAsync(["bob"], CancellationToken.None));
        Assert.Equal(1, await Users.DeleteConfiguredExceptAsync([], CancellationToken.None));
        Assert.Null(await FindAsync("bob"));
    }

    [Fact]
    public async Task Users_survive_a_reopen()
    {
        await UpsertAsync(User("alice", "alice", "alice@example.com"));

        await ReopenAsync();

        Assert.Equal("alice", (await FindAsync("alice@example.com"))?.Subject);
    }
}
