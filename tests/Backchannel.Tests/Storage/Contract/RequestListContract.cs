using Backchannel.Abstractions;
using Backchannel.Domain;

namespace Backchannel.Tests.Storage.Contract;

/// <summary>
/// The contract of <see cref="IAuthenticationRequestStore.ListAsync"/>: requests newest first, filtered by client, subject
/// and pending state, a page at a time, each page examining at most the scan limit.
/// </summary>
public abstract class RequestListContract : StoreContract
{
    private Task<AuthenticationRequest> CreatedAsync(int secondsAgo, string clientId = "client-a", string subject = "alice") =>
        PendingAsync(createdAt: Now.AddSeconds(-secondsAgo), subject: subject, clientId: clientId);

    private Task<RequestPage> ListAsync(int limit, string? before = null, string? clientId = null, string? subject = null, bool pendingOnly = false,
        int scanLimit = 10_000) =>
        Requests.ListAsync(new RequestListQuery
        {
            ClientId = clientId,
            Subject = subject,
            PendingOnly = pendingOnly,
            Now = Now,
            Before = before,
            Limit = limit,
            ScanLimit = scanLimit,
        }, CancellationToken.None);

    [Fact]
    public async Task Requests_come_newest_first_and_page_without_gaps_or_repeats()
    {
        // Created out of order, so that the order comes from the store.
        var ids = new List<string>();
        foreach (var secondsAgo in new[] { 30, 10, 50, 20, 40 })
        {
            ids.Add((await CreatedAsync(secondsAgo)).Id);
        }

        var first = await ListAsync(2);
        var second = await ListAsync(2, first.Next);
        var third = await ListAsync(2, second.Next);

        var newestFirst = ids.Order(StringComparer.Ordinal).Reverse().ToList();
        Assert.Equal(newestFirst, first.Requests.Concat(second.Requests).Concat(third.Requests).Select(r => r.Id));
        Assert.Equal(first.Requests[^1].Id, first.Next);
        Assert.Null(third.Next);
        Assert.Single(third.Requests);
        Assert.Equal(StoreData.Request(Now).Scope, first.Requests[0].Scope);
    }

    [Fact]
    public async Task Filters_by_client_subject_and_pending_state()
    {
        var mine = await CreatedAsync(10);
        var other = await CreatedAsync(9, clientId: "client-b");
        var bobs = await CreatedAsync(8, subject: "bob");
        var expired = await CreatedAsync(600);
        var approved = await CreatedAsync(7);
        Assert.Equal(DecisionOutcome.Decided,
            (await Requests.DecideAsync(StoreData.Approval(approved), Now, _ => DecisionEffects.None, CancellationToken.None)).Outcome);

        Assert.Equal([approved.Id, mine.Id, expired.Id], (await ListAsync(10, clientId: "client-a", subject: "alice")).Requests.Select(r => r.Id));
        Assert.Equal([other.Id], (await ListAsync(10, clientId: "client-b")).Requests.Select(r => r.Id));
        Assert.Equal([bobs.Id], (await ListAsync(10, subject: "bob")).Requests.Select(r => r.Id));
        Assert.Equal([bobs.Id, other.Id, mine.Id], (await ListAsync(10, pendingOnly: true)).Requests.Select(r => r.Id));
        Assert.Equal(5, (await ListAsync(10)).Requests.Count);
        Assert.Empty((await ListAsync(10, clientId: "client-c")).Requests);
        Assert.Null((await ListAsync(10, clientId: "client-c")).Next);
    }

    [Fact]
    public async Task A_page_examines_at_most_the_scan_limit_and_says_where_to_go_on()
    {
        var target = await CreatedAsync(60, clientId: "rare");
        for (var i = 0; i < 5; i++)
        {
            await CreatedAsync(50 - i);
        }

        var first = await ListAsync(10, clientId: "rare", scanLimit: 3);
        var second = await ListAsync(10, first.Next, clientId: "rare", scanLimit: 3);
        var third = await ListAsync(10, second.Next, clientId: "rare", scanLimit: 3);

        // The first window (the three newest) has no request of the client: an empty page that goes on.
        Assert.Empty(first.Requests);
        Assert.NotNull(first.Next);
        // The second window (the next three) ends with the client's request; it was full, so more may lie beyond.
        Assert.Equal([target.Id], second.Requests.Select(r => r.Id));
        Assert.Equal(target.Id, second.Next);
        Assert.Empty(third.Requests);
        Assert.Null(third.Next);
    }

    [Fact]
    public async Task Empty_store_lists_nothing()
    {
        var page = await ListAsync(10);

        Assert.Empty(page.Requests);
        Assert.Null(page.Next);
    }
}
