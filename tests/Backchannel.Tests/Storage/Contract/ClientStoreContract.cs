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
        Assert.Single(await Clients.ListAsync(CancellationToken.None));
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
        Assert.Empty(await Clients.ListAsync(CancellationToken.None));
        await Clients.UpsertAsync(Client("b"), CancellationToken.None);
        await Clients.UpsertAsync(Client("a", Registration), CancellationToken.None);
        await Clients.UpsertAsync(Client("c"), CancellationToken.None);

        var clients = await Clients.ListAsync(CancellationToken.None);

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
        Assert.Equal(["kept", "registered"], (await Clients.ListAsync(CancellationToken.None)).Select(c => c.ClientId).Order(StringComparer.Ordinal));
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
}
