using System.Collections;
using System.Reflection;
using Backchannel.Delivery;
using Backchannel.Domain;

namespace Backchannel.Tests.Delivery;

public sealed class DeliverySchedulerTests
{
    private long _nextId;

    [Fact]
    public void Messages_start_until_the_lane_is_full_then_wait_for_a_free_slot()
    {
        var scheduler = new DeliveryScheduler(laneLimit: 2, destinationLimit: 10, maxWaitingPerDestination: 100);
        var a = Work("client:a");
        var b = Work("client:b");
        var c = Work("client:c");

        Assert.True(Enqueue(scheduler, a));
        Assert.True(Enqueue(scheduler, b));
        Assert.False(Enqueue(scheduler, c));

        Assert.Equal(2, scheduler.Active);
        Assert.Equal(1, scheduler.Waiting);
        Assert.Equal([c], scheduler.Complete(a));
        Assert.Equal(2, scheduler.Active);
        Assert.Equal(0, scheduler.Waiting);
        Assert.Empty(scheduler.Complete(b));
        Assert.Empty(scheduler.Complete(c));
        Assert.Equal(0, scheduler.Active);
    }

    [Fact]
    public void A_destination_at_its_limit_waits_while_other_destinations_go()
    {
        var scheduler = new DeliveryScheduler(laneLimit: 10, destinationLimit: 2, maxWaitingPerDestination: 100);
        var slow = Enumerable.Range(0, 4).Select(_ => Work("client:slow")).ToList();
        var fast = Work("client:fast");

        Assert.Equal([true, true, false, false], slow.Select(w => Enqueue(scheduler, w)));
        Assert.True(Enqueue(scheduler, fast));

        Assert.Equal(3, scheduler.Active);
        Assert.Equal(2, scheduler.Waiting);
        // A delivery to another destination ending frees no slot for the full one.
        Assert.Empty(scheduler.Complete(fast));
        Assert.Equal([slow[2]], scheduler.Complete(slow[0]));
        Assert.Equal([slow[3]], scheduler.Complete(slow[1]));
        Assert.Equal(2, scheduler.Active);
    }

    [Fact]
    public void Messages_of_one_destination_start_in_the_order_they_came()
    {
        var scheduler = new DeliveryScheduler(laneLimit: 10, destinationLimit: 1, maxWaitingPerDestination: 100);
        var messages = Enumerable.Range(0, 5).Select(_ => Work("client:a")).ToList();
        Assert.True(Enqueue(scheduler, messages[0]));
        Assert.All(messages.Skip(1), w => Assert.False(Enqueue(scheduler, w)));

        var started = new List<OutboxWork> { messages[0] };
        for (var i = 0; i < messages.Count; i++)
        {
            started.AddRange(scheduler.Complete(started[i]));
        }

        Assert.Equal(messages, started);
    }

    [Fact]
    public void Waiting_destinations_are_served_in_turn()
    {
        var scheduler = new DeliveryScheduler(laneLimit: 1, destinationLimit: 1, maxWaitingPerDestination: 100);
        var blocker = Work("client:x");
        Assert.True(Enqueue(scheduler, blocker));
        var a = Enumerable.Range(0, 3).Select(_ => Work("client:a")).ToList();
        var b = Enumerable.Range(0, 2).Select(_ => Work("client:b")).ToList();
        var c = Work("client:c");
        foreach (var work in a.Concat(b).Append(c))
        {
            Assert.False(Enqueue(scheduler, work));
        }

        var order = new List<OutboxWork>();
        var current = blocker;
        while (scheduler.Complete(current) is [var next])
        {
            order.Add(next);
            current = next;
        }

        // Round robin: A, B and C each get a turn before A gets a second one.
        Assert.Equal([a[0], b[0], c, a[1], b[1], a[2]], order);
        Assert.Equal(0, scheduler.Active);
        Assert.Equal(0, scheduler.Waiting);
    }

    [Fact]
    public void A_message_beyond_the_waiting_cap_of_its_destination_is_dropped()
    {
        var scheduler = new DeliveryScheduler(laneLimit: 1, destinationLimit: 1, maxWaitingPerDestination: 2);
        var a = Enumerable.Range(0, 4).Select(_ => Work("client:a")).ToList();
        var other = Work("client:b");

        Assert.True(scheduler.Enqueue(a[0], out var dropped0));
        Assert.False(dropped0);
        Assert.False(scheduler.Enqueue(a[1], out var dropped1));
        Assert.False(dropped1);
        Assert.False(scheduler.Enqueue(a[2], out var dropped2));
        Assert.False(dropped2);
        Assert.False(scheduler.Enqueue(a[3], out var dropped3));
        Assert.True(dropped3);
        // The cap is per destination: another one still queues.
        Assert.False(scheduler.Enqueue(other, out var droppedOther));
        Assert.False(droppedOther);

        Assert.Equal(3, scheduler.Waiting);
        var started = new List<OutboxWork>();
        var current = a[0];
        while (scheduler.Complete(current) is [var next])
        {
            started.Add(next);
            current = next;
        }

        Assert.DoesNotContain(a[3], started);
        // B joined the line while A was busy; A joins behind it when its delivery ends.
        Assert.Equal([other, a[1], a[2]], started);
    }

    [Fact]
    public void Idle_destinations_are_forgotten()
    {
        var scheduler = new DeliveryScheduler(laneLimit: 2, destinationLimit: 1, maxWaitingPerDestination: 1);
        var works = new List<OutboxWork>();
        for (var i = 0; i < 50; i++)
        {
            var work = Work($"client:{i}");
            works.Add(work);
            Enqueue(scheduler, work);
        }

        Assert.Equal(50, KnownDestinations(scheduler));

        var running = works.Take(2).ToList();
        while (running.Count > 0)
        {
            var done = running[0];
            running.RemoveAt(0);
            running.AddRange(scheduler.Complete(done));
        }

        Assert.Equal(0, scheduler.Active);
        Assert.Equal(0, scheduler.Waiting);
        Assert.Equal(0, KnownDestinations(scheduler));

        // A destination whose message was dropped, and one whose only message ended, are not kept either.
        var a1 = Work("client:a");
        var a2 = Work("client:a");
        var a3 = Work("client:a");
        Assert.True(Enqueue(scheduler, a1));
        Assert.False(Enqueue(scheduler, a2));
        Assert.False(scheduler.Enqueue(a3, out var dropped));
        Assert.True(dropped);
        Assert.Equal([a2], scheduler.Complete(a1));
        Assert.Empty(scheduler.Complete(a2));
        Assert.Equal(0, KnownDestinations(scheduler));
    }

    private static bool Enqueue(DeliveryScheduler scheduler, OutboxWork work)
    {
        var start = scheduler.Enqueue(work, out var dropped);
        Assert.False(dropped);
        return start;
    }

    private OutboxWork Work(string destination)
    {
        var now = DateTimeOffset.UtcNow;
        return new OutboxWork(new OutboxMessage
        {
            Id = ++_nextId,
            RequestId = $"request-{_nextId}",
            Kind = OutboxKind.Ping,
            Destination = destination,
            NextAttemptAt = now,
            ExpiresAt = now.AddMinutes(5),
            CreatedAt = now,
        }, null);
    }

    /// <summary>How many destinations the scheduler keeps state for (its table is private: only this test looks at it).</summary>
    private static int KnownDestinations(DeliveryScheduler scheduler)
    {
        var field = typeof(DeliveryScheduler).GetField("_destinations", BindingFlags.Instance | BindingFlags.NonPublic);
        Assert.NotNull(field);
        return ((ICollection)field!.GetValue(scheduler)!).Count;
    }
}
