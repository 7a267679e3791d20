using Backchannel.Abstractions;
using Backchannel.Domain;
using Backchannel.Protocol;

namespace Backchannel.Tests.Storage.Contract;

/// <summary>
/// The contract of <see cref="IClientStore"/>'s admin side: a client replaced only while it is as read, listed by
/// client_id a page at a time.
/// </summary>
public abstract class ClientWriteContract : StoreContract
{
    private IClientStore Clients => Stores.Clients;

    private static StoredClient Client(string clientId, string name = "A", string? secret = "s3cret") => new()
    {
        ClientId = clientId,
        Metadata = $$"""{"client_id":"{{clientId}}","client_name":"{{name}}"}""",
        SecretHash = secret is null ? null : SecretHash.Compute(secret),
        Source = ClientSources.Admin,
        CreatedAt = Now,
        UpdatedAt = Now,
    };

    [Fact]
    public async Task Replace_happens_only_while_the_client_is_as_read()
    {
        var read = Client("c1");
        await Clients.AddAsync(read, CancellationToken.None);
        var renamed = Client("c1", "B", secret: null) with { UpdatedAt = Now.AddSeconds(1) };

        Assert.True(await Clients.ReplaceAsync(renamed, read, CancellationToken.None));
        // The same expectation again: the client is no longer as it was read.
        Assert.False(await Clients.ReplaceAsync(Client("c1", "C"), read, CancellationToken.None));
        Assert.False(await Clients.ReplaceAsync(Client("c1", "C"), read with { UpdatedAt = Now.AddSeconds(1) }, CancellationToken.None));
        Assert.False(await Clients.ReplaceAsync(Client("c2"), Client("c2"), CancellationToken.None));

        var found = await Clients.FindAsync("c1", CancellationToken.None);
        Assert.NotNull(found);
        Assert.Equal(renamed.Metadata, found.Metadata);
        Assert.Null(found.SecretHash);
        Assert.Equal(Now, found.CreatedAt);
        Assert.Equal(Now.AddSeconds(1), found.UpdatedAt);

        // A null secret is compared as null.
        Assert.True(await Clients.ReplaceAsync(Client("c1", "D") with { UpdatedAt = Now.AddSeconds(2) }, found, CancellationToken.None));
    }

    [Fact]
    public async Task Clients_are_listed_by_client_id_a_page_at_a_time()
    {
        foreach (var clientId in new[] { "c", "a", "B", "b" })
        {
            await Clients.AddAsync(Client(clientId), CancellationToken.None);
        }

        var first = await Clients.ListAsync(null, 3, CancellationToken.None);
        var rest = await Clients.ListAsync(first[^1].ClientId, 3, CancellationToken.None);

        // Ordinal: upper case before lower case.
        Assert.Equal(["B", "a", "b", "c"], first.Concat(rest).Select(c => c.ClientId));
        Assert.Single(rest);
    }
}
