using Backchannel.Abstractions;
using Backchannel.Domain;
using Backchannel.Protocol;

namespace Backchannel.Tests.Storage.Contract;

/// <summary>
/// The contract of <see cref="IAuditStore"/>: request events recorded in batches, read per request in the order they
/// happened and per subject newest first, a page at a time; removed after the retention; and the expiry of an undecided
/// request that goes unnoticed otherwise, recorded by the statement that removes the request.
/// </summary>
public abstract class AuditStoreContract : StoreContract
{
    private IAuditStore Audit => Stores.Audit;

    private static RequestEvent Event(RequestEventKind kind, string requestId, DateTimeOffset at, string subject = "alice") => new()
    {
        Kind = kind,
        RequestId = requestId,
        ClientId = "client-a",
        Subject = subject,
        At = at,
        Channel = "http",
    };

    private Task AppendAsync(params RequestEvent[] events) => Audit.AppendAsync(events, CancellationToken.None);

    private Task<IReadOnlyList<RecordedRequestEvent>> ForRequestAsync(string requestId, AuditPosition? after = null, int limit = 100) =>
        Audit.ListForRequestAsync(requestId, after, limit, CancellationToken.None);

    private Task<IReadOnlyList<RecordedRequestEvent>> ForSubjectAsync(string subject, AuditPosition? before = null, int limit = 100) =>
        Audit.ListForSubjectAsync(subject, before, limit, CancellationToken.None);

    [Fact]
    public async Task Appended_events_are_read_back_with_every_field()
    {
        var decided = Event(RequestEventKind.Decided, "req-1", Now.AddSeconds(2)) with
        {
            Approved = true,
            Detail = "callback_token",
            Device = "device-7",
            Channel = "portal",
        };
        var requested = Event(RequestEventKind.Created, "req-1", Now) with { Detail = "LoginHint", Channel = null };
        await AppendAsync(requested, decided);

        var events = await ForRequestAsync("req-1");

        Assert.Equal(2, events.Count);
        Assert.Equal(requested, events[0].Event);
        Assert.Equal(decided, events[1].Event);
        Assert.True(events[1].Sequence > events[0].Sequence);
    }

    [Fact]
    public async Task Every_kind_round_trips_and_a_denial_keeps_its_false()
    {
        var kinds = Enum.GetValues<RequestEventKind>();
        await AppendAsync(kinds.Select((kind, i) => Event(kind, "req-1", Now.AddSeconds(i)) with { Approved = kind == RequestEventKind.Decided ? false : null })
            .ToArray());

        var events = await ForRequestAsync("req-1");

        Assert.Equal(kinds, events.Select(e => e.Event.Kind));
        Assert.False(events.Single(e => e.Event.Kind == RequestEventKind.Decided).Event.Approved);
        Assert.All(events.Where(e => e.Event.Kind != RequestEventKind.Decided), e => Assert.Null(e.Event.Approved));
    }

    [Fact]
    public async Task A_request_s_events_come_in_the_order_they_happened_whatever_the_order_recorded()
    {
        // Another node recorded the decision before this node recorded the notification that came first.
        await AppendAsync(Event(RequestEventKind.Created, "req-1", Now), Event(RequestEventKind.Decided, "req-1", Now.AddSeconds(5)));
        await AppendAsync(Event(RequestEventKind.Notified, "req-1", Now.AddSeconds(1)), Event(RequestEventKind.Created, "req-2", Now));
        await AppendAsync(Event(RequestEventKind.Redeemed, "req-1", Now.AddSeconds(5)));

        var events = await ForRequestAsync("req-1");

        Assert.Equal([RequestEventKind.Created, RequestEventKind.Notified, RequestEventKind.Decided, RequestEventKind.Redeemed],
            events.Select(e => e.Event.Kind));
        Assert.Empty(await ForRequestAsync("req-3"));
    }

    [Fact]
    public async Task A_request_s_events_page_after_a_position_without_gaps_or_repeats()
    {
        // Two events at the same instant: the sequence orders them.
        await AppendAsync(Enumerable.Range(0, 7).Select(i => Event(RequestEventKind.Viewed, "req-1", Now.AddSeconds(i / 2))).ToArray());

        var seen = new List<long>();
        AuditPosition? after = null;
        IReadOnlyList<RecordedRequestEvent> page;
        do
        {
            page = await ForRequestAsync("req-1", after, limit: 3);
            seen.AddRange(page.Select(e => e.Sequence));
            after = page.Count > 0 ? AuditPosition.Of(page[^1]) : after;
        }
        while (page.Count == 3);

        var all = await ForRequestAsync("req-1");
        Assert.Equal(7, seen.Count);
        Assert.Equal(all.Select(e => e.Sequence), seen);
    }

    [Fact]
    public async Task A_subject_s_events_come_newest_first_and_page_before_a_position()
    {
        await AppendAsync(
            Event(RequestEventKind.Created, "req-1", Now),
            Event(RequestEventKind.Created, "req-2", Now.AddSeconds(10)),
            Event(RequestEventKind.Created, "req-3", Now.AddSeconds(5), subject: "bob"),
            Event(RequestEventKind.Decided, "req-1", Now.AddSeconds(20)),
            Event(RequestEventKind.Expired, "req-2", Now.AddSeconds(10)));

        var all = await ForSubjectAsync("alice");
        var first = await ForSubjectAsync("alice", limit: 2);
        var rest = await ForSubjectAsync("alice", AuditPosition.Of(first[^1]));

        Assert.Equal([RequestEventKind.Decided, RequestEventKind.Expired, RequestEventKind.Created, RequestEventKind.Created],
            all.Select(e => e.Event.Kind));
        Assert.Equal(["req-1", "req-2", "req-2", "req-1"], all.Select(e => e.Event.RequestId));
        Assert.Equal(all.Select(e => e.Sequence), first.Concat(rest).Select(e => e.Sequence));
        Assert.Equal(["req-3"], (await ForSubjectAsync("bob")).Select(e => e.Event.RequestId));
        Assert.Empty(await ForSubjectAsync("carol"));
    }

    [Fact]
    public async Task Events_older_than_the_cutoff_go_oldest_first_at_most_max_at_a_time()
    {
        await AppendAsync(Enumerable.Range(0, 5).Select(i => Event(RequestEventKind.Created, $"old-{i}", Now.AddDays(-40 + i))).ToArray());
        await AppendAsync(Event(RequestEventKind.Created, "new", Now.AddDays(-1)));

        var first = await Audit.DeleteOlderThanAsync(Now.AddDays(-30), 3, CancellationToken.None);
        var second = await Audit.DeleteOlderThanAsync(Now.AddDays(-30), 3, CancellationToken.None);
        var third = await Audit.DeleteOlderThanAsync(Now.AddDays(-30), 3, CancellationToken.None);

        Assert.Equal(3, first);
        Assert.Equal(2, second);
        Assert.Equal(0, third);
        Assert.Empty(await ForRequestAsync("old-4"));
        Assert.Single(await ForRequestAsync("new"));
    }

    [Fact]
    public async Task Removal_stops_at_the_first_recorded_event_that_is_not_old()
    {
        await AppendAsync(Event(RequestEventKind.Created, "old-1", Now.AddDays(-40)), Event(RequestEventKind.Created, "new", Now),
            Event(RequestEventKind.Created, "late", Now.AddDays(-35)));

        Assert.Equal(1, await Audit.DeleteOlderThanAsync(Now.AddDays(-30), 100, CancellationToken.None));
        Assert.Empty(await ForRequestAsync("old-1"));
        Assert.Single(await ForRequestAsync("late"));
        Assert.Equal(0, await Audit.DeleteOlderThanAsync(Now.AddDays(-30), 100, CancellationToken.None));

        // Once the newer one is old too, both go.
        Assert.Equal(2, await Audit.DeleteOlderThanAsync(Now.AddSeconds(1), 100, CancellationToken.None));
        Assert.Empty(await ForRequestAsync("late"));
    }

    [Fact]
    public async Task Empty_trail_removes_nothing_and_an_empty_batch_records_nothing()
    {
        await AppendAsync();

        Assert.Equal(0, await Audit.DeleteOlderThanAsync(Now, 100, CancellationToken.None));
        Assert.Empty(await ForSubjectAsync("alice"));
    }

    [Fact]
    public async Task Events_survive_a_reopen()
    {
        await AppendAsync(Event(RequestEventKind.Created, "req-1", Now));

        await ReopenAsync();

        Assert.Single(await ForRequestAsync("req-1"));
    }

    [Fact]
    public async Task Removing_an_undecided_request_unnoticed_otherwise_records_its_expiry_at_its_expiry_time()
    {
        var poll = await PendingAsync(DeliveryModes.Poll, lifetime: TimeSpan.FromSeconds(30));
        // Expires after the claim below: NotifyOnExpiry off, or a node that never claimed it.
        var ping = await PendingAsync(DeliveryModes.Ping, lifetime: TimeSpan.FromMinutes(2));
        var told = await PendingAsync(DeliveryModes.Push, lifetime: TimeSpan.FromSeconds(30));
        Assert.Equal([told.Id], (await Requests.ClaimExpiredForNotificationAsync(Now.AddMinutes(1), 10, _ => null, CancellationToken.None))
            .Select(c => c.Request.Id));
        var denied = await PendingAsync(DeliveryModes.Poll, lifetime: TimeSpan.FromSeconds(30));
        Assert.Equal(DecisionOutcome.Decided,
            (await Requests.DecideAsync(StoreData.Denial(denied), Now, _ => DecisionEffects.None, CancellationToken.None)).Outcome);

        await Requests.DeleteExpiredAsync(Now.AddMinutes(10), CancellationToken.None);

        foreach (var unnoticed in new[] { poll, ping })
        {
            var expired = Assert.Single(await ForRequestAsync(unnoticed.Id));
            Assert.Equal(RequestEventKind.Expired, expired.Event.Kind);
            Assert.Equal(unnoticed.ExpiresAt, expired.Event.At);
            Assert.Equal(unnoticed.ClientId, expired.Event.ClientId);
            Assert.Equal(unnoticed.Subject, expired.Event.Subject);
            Assert.Equal(unnoticed.Channel, expired.Event.Channel);
        }

        // Its client was told (an expired event was published then), or it was decided: no expiry to record.
        Assert.Empty(await ForRequestAsync(told.Id));
        Assert.Empty(await ForRequestAsync(denied.Id));
    }
}
