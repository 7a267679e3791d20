using Backchannel.Abstractions;
using Backchannel.Domain;
using Backchannel.Protocol;

namespace Backchannel.Tests.Storage.Contract;

/// <summary>The contract of <see cref="IClientStore"/>: registered clients, their metadata, secret hashes and sources.</summary>
public abstract class ClientStoreContract : StoreContract
{
    private const string Registration = "registration";

    private IClientStore Clients => Stores.Clients;

    private static StoredClient Client(string clientId, string source = ClientSources.Settings, string? secret = "s3cret") => new()
    {
        ClientId = clientId,
        Metadata = $$"""{"client_id":"{{clientId}}","backchannel_token_delivery_mode":"poll","client_name":"Caf\u00e9 \ud83d\udc31"}""",
        SecretHash = secret is null ? null : SecretHash.Compute(secret),
        Source = source,
        CreatedAt = Now,
        UpdatedAt = Now,
    };

    private ValueTask<StoredClient?> FindAsync(string clientId) => Clients.FindAsync(clientId, CancellationToken.None);

    /// <summary>Every client: one page as long as the store.</summary>
    private Task<IReadOnlyList<StoredClient>> ListAllAsync() => Clients.ListAsync(null, int.MaxValue, CancellationToken.None);

    [Fact]
    public async Task Upserted_client_is_found_with_every_field()
    {
        var client = Client("client-a");

        await Clients.UpsertAsync(client, CancellationToken.None);
        var found = await FindAsync("client-a");

        Assert.NotNull(found);
        Assert.Equal(client.ClientId, found.ClientId);
        Assert.Equal(client.Metadata, found.Metadata);
        Assert.Equal(client.SecretHash, found.SecretHash);
        Assert.True(SecretHash.Matches("s3cret", found.SecretHash));
        Assert.Equal(client.Source, found.Source);
        Assert.Equal(client.CreatedAt, found.CreatedAt);
        Assert.Equal(client.UpdatedAt, found.UpdatedAt);
    }

    [Fact]
    public async Task Client_without_a_secret_round_trips_a_null_hash()
    {
        await Clients.UpsertAsync(Client("public", secret: null), CancellationToken.None);

        var found = await FindAsync("public");

        Assert.NotNull(found);
        Assert.Null(found.SecretHash);
    }

    [Fact]
    public async Task Unknown_client_is_not_found()
    {
        await Clients.UpsertAsync(Client("client-a"), CancellationToken.None);

        Assert.Null(await FindAsync("client-b"));
        Assert.Null(await FindAsync("CLIENT-A"));
    }

    [Fact]
    public async Task Upsert_replaces_the_client_and_keeps_its_creation_time()
    {
        await Clients.UpsertAsync(Client("client-a"), CancellationToken.None);

        await Clients.UpsertAsync(Client("client-a", Registration, secret: "rotated") with
        {
            Metadata = """{"client_id":"client-a","backchannel_token_delivery_mode":"ping"}""",
            CreatedAt = Now.AddDays(1),
            UpdatedAt = Now.AddDays(1),
        }, CancellationToken.None);

        var found = await FindAsync("client-a");
        Assert.NotNull(found);
        Assert.Equal(Now, found.CreatedAt);
        Assert.Equal(Now.AddDays(1), found.UpdatedAt);
        Assert.Contains("\"ping\"", found.Metadata, StringComparison.Ordinal);
        Assert.Equal(Registration, found.Source);
        Assert.True(SecretHash.Matches("rotated", found.SecretHash));
        Assert.Single(await ListAllAsync());
    }

    [Fact]
    public async Task Upsert_can_remove_the_secret()
    {
        await Clients.UpsertAsync(Client("client-a"), CancellationToken.None);

        await Clients.UpsertAsync(Client("client-a", secret: null), CancellationToken.None);

        Assert.Null((await FindAsync("client-a"))!.SecretHash);
    }

    [Fact]
    public async Task List_returns_every_client()
    {
        Assert.Empty(await ListAllAsync());
        await Clients.UpsertAsync(Client("b"), CancellationToken.None);
        await Clients.UpsertAsync(Client("a", Registration), CancellationToken.None);
        await Clients.UpsertAsync(Client("c"), CancellationToken.None);

        var clients = await ListAllAsync();

        Assert.Equal(["a", "b", "c"], clients.Select(c => c.ClientId).Order(StringComparer.Ordinal));
        Assert.Equal(Registration, clients.Single(c => c.ClientId == "a").Source);
    }

    [Fact]
    public async Task Delete_removes_the_client_once()
    {
        await Clients.UpsertAsync(Client("client-a"), CancellationToken.None);
        await Clients.UpsertAsync(Client("client-b"), CancellationToken.None);

        Assert.True(await Clients.DeleteAsync("client-a", CancellationToken.None));
        Assert.False(await Clients.DeleteAsync("client-a", CancellationToken.None));
        Assert.False(await Clients.DeleteAsync("unknown", CancellationToken.None));

        Assert.Null(await FindAsync("client-a"));
        Assert.NotNull(await FindAsync("client-b"));
    }

    [Fact]
    public async Task Delete_from_source_except_removes_that_sources_other_clients_and_names_them()
    {
        await Clients.UpsertAsync(Client("kept"), CancellationToken.None);
        await Clients.UpsertAsync(Client("stale-1"), CancellationToken.None);
        await Clients.UpsertAsync(Client("stale-2"), CancellationToken.None);
        await Clients.UpsertAsync(Client("registered", Registration), CancellationToken.None);

        var removed = await Clients.DeleteFromSourceExceptAsync(ClientSources.Settings, ["kept", "not-stored"], CancellationToken.None);

        Assert.Equal(["stale-1", "stale-2"], removed.Order(StringComparer.Ordinal));
        Assert.Equal(["kept", "registered"], (await ListAllAsync()).Select(c => c.ClientId).Order(StringComparer.Ordinal));
        Assert.Empty(await Clients.DeleteFromSourceExceptAsync(ClientSources.Settings, ["kept"], CancellationToken.None));
        Assert.Equal(["kept"], await Clients.DeleteFromSourceExceptAsync(ClientSources.Settings, [], CancellationToken.None));
        Assert.NotNull(await FindAsync("registered"));
    }

    [Fact]
    public async Task Clients_survive_a_reopen()
    {
        await Clients.UpsertAsync(Client("client-a"), CancellationToken.None);

        await ReopenAsync();

        Assert.True(SecretHash.Matches("s3cret", (await FindAsync("client-a"))!.SecretHash));
    }

    // Dynamic registration: the registration access token's hash, and the changes conditional on it.

    private static readonly byte[] TokenHash = SecretHash.Compute("registration-access-token");

    private static StoredClient Registered(string clientId, byte[]? tokenHash = null) =>
        Client(clientId, Registration) with { RegistrationAccessTokenHash = tokenHash ?? TokenHash };

    [Fact]
    public async Task The_registration_access_token_hash_round_trips_and_a_settings_client_has_none()
    {
        await Clients.UpsertAsync(Client("configured"), CancellationToken.None);
        Assert.True(await Clients.AddAsync(Registered("registered"), CancellationToken.None));

        Assert.Null((await FindAsync("configured"))!.RegistrationAccessTokenHash);
        var found = await FindAsync("registered");
        Assert.Equal(TokenHash, found!.RegistrationAccessTokenHash);
        Assert.Equal(Registration, found.Source);
        Assert.Equal(Now, found.CreatedAt);
        Assert.True(SecretHash.Matches("s3cret", found.SecretHash));

        await ReopenAsync();
        Assert.Equal(TokenHash, (await FindAsync("registered"))!.RegistrationAccessTokenHash);
    }

    [Fact]
    public async Task Add_refuses_a_taken_client_id_and_leaves_that_client_as_it_was()
    {
        await Clients.UpsertAsync(Client("taken"), CancellationToken.None);

        Assert.False(await Clients.AddAsync(Registered("taken") with { Metadata = "{}" }, CancellationToken.None));

        var found = await FindAsync("taken");
        Assert.Equal(ClientSources.Settings, found!.Source);
        Assert.Null(found.RegistrationAccessTokenHash);
        Assert.Contains("poll", found.Metadata, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Upsert_writes_the_registration_access_token_hash_as_given()
    {
        await Clients.AddAsync(Registered("client-a"), CancellationToken.None);

        await Clients.UpsertAsync(Client("client-a"), CancellationToken.None);

        Assert.Null((await FindAsync("client-a"))!.RegistrationAccessTokenHash);
    }

    [Fact]
    public async Task Replace_registered_needs_the_current_token_and_keeps_source_and_creation_time()
    {
        await Clients.AddAsync(Registered("client-a"), CancellationToken.None);
        var rotated = SecretHash.Compute("rotated-token");
        var replacement = Registered("client-a", rotated) with
        {
            Metadata = """{"client_id":"client-a","backchannel_token_delivery_mode":"ping"}""",
            SecretHash = SecretHash.Compute("new-secret"),
            Source = "ignored",
            CreatedAt = Now.AddDays(3),
            UpdatedAt = Now.AddDays(1),
        };

        Assert.False(await Clients.ReplaceRegisteredAsync(replacement, SecretHash.Compute("wrong-token"), CancellationToken.None));
        Assert.Equal(TokenHash, (await FindAsync("client-a"))!.RegistrationAccessTokenHash);

        Assert.True(await Clients.ReplaceRegisteredAsync(replacement, TokenHash, CancellationToken.None));

        var found = await FindAsync("client-a");
        Assert.Equal(rotated, found!.RegistrationAccessTokenHash);
        Assert.Contains("\"ping\"", found.Metadata, StringComparison.Ordinal);
        Assert.True(SecretHash.Matches("new-secret", found.SecretHash));
        Assert.Equal(Registration, found.Source);
        Assert.Equal(Now, found.CreatedAt);
        Assert.Equal(Now.AddDays(1), found.UpdatedAt);

        // The old token no longer changes anything.
        Assert.False(await Clients.ReplaceRegisteredAsync(replacement, TokenHash, CancellationToken.None));
    }

    [Fact]
    public async Task Replace_registered_never_creates_a_client_nor_changes_a_settings_client()
    {
        await Clients.UpsertAsync(Client("configured"), CancellationToken.None);

        Assert.False(await Clients.ReplaceRegisteredAsync(Registered("absent"), TokenHash, CancellationToken.None));
        Assert.False(await Clients.ReplaceRegisteredAsync(Registered("configured"), TokenHash, CancellationToken.None));

        Assert.Null(await FindAsync("absent"));
        Assert.Null((await FindAsync("configured"))!.RegistrationAccessTokenHash);
    }

    [Fact]
    public async Task Delete_registered_needs_the_current_token_and_happens_once()
    {
        await Clients.AddAsync(Registered("client-a"), CancellationToken.None);
        await Clients.UpsertAsync(Client("configured"), CancellationToken.None);

        Assert.False(await Clients.DeleteRegisteredAsync("client-a", SecretHash.Compute("wrong-token"), CancellationToken.None));
        Assert.False(await Clients.DeleteRegisteredAsync("configured", TokenHash, CancellationToken.None));
        Assert.True(await Clients.DeleteRegisteredAsync("client-a", TokenHash, CancellationToken.None));
        Assert.False(await Clients.DeleteRegisteredAsync("client-a", TokenHash, CancellationToken.None));

        Assert.Null(await FindAsync("client-a"));
        Assert.NotNull(await FindAsync("configured"));
    }

    [Fact]
    public async Task Of_racing_updates_and_deletes_with_one_token_exactly_one_wins()
    {
        await Clients.AddAsync(Registered("client-a"), CancellationToken.None);

        var racers = Enumerable.Range(0, 40).Select(i => i % 4 == 3
            ? Clients.DeleteRegisteredAsync("client-a", TokenHash, CancellationToken.None)
            : Clients.ReplaceRegisteredAsync(Registered("client-a", SecretHash.Compute($"rotated-{i}")), TokenHash, CancellationToken.None));
        var outcomes = await Task.WhenAll(racers);

        Assert.Single(outcomes, won => won);
        var found = await FindAsync("client-a");
        Assert.True(found is null || !found.RegistrationAccessTokenHash!.SequenceEqual(TokenHash), "the winner retired the token");
    }
}
