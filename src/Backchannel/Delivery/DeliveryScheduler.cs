namespace Backchannel.Delivery;

/// <summary>
/// Decides which outbox messages are sent now and which wait, so that one destination cannot hold up another: device
/// notifications and client notifications (pings, pushes) each have their own lane with its own concurrency limit, and
/// within a lane each destination (a channel, a client) has its own limit. Waiting destinations are served in turn.
/// Not thread-safe by itself: the worker calls it under one lock.
/// </summary>
internal sealed class DeliveryScheduler(int laneLimit, int destinationLimit, int maxWaitingPerDestination)
{
    private readonly Dictionary<string, Destination> _destinations = new(StringComparer.Ordinal);
    private readonly Queue<Destination> _ready = new();
    private int _active;

    public int Active => _active;

    public int Waiting => _destinations.Values.Sum(d => d.Waiting.Count);

    /// <summary>Takes a message: true when it may be sent now; false when it waits (or, past the destination's queue limit, is dropped).</summary>
    public bool Enqueue(OutboxWork work, out bool dropped)
    {
        dropped = false;
        var destination = DestinationOf(work);
        if (_active < laneLimit && destination.Active < destinationLimit && destination.Waiting.Count == 0)
        {
            destination.Active++;
            _active++;
            return true;
        }

        if (destination.Waiting.Count >= maxWaitingPerDestination)
        {
            dropped = true;
            Forget(destination);
            return false;
        }

        destination.Waiting.Enqueue(work);
        MarkReady(destination);
        return false;
    }

    /// <summary>A delivery ended: the messages that may start now in its place.</summary>
    public List<OutboxWork> Complete(OutboxWork work)
    {
        var started = new List<OutboxWork>();
        if (_destinations.TryGetValue(work.Message.Destination, out var destination))
        {
            destination.Active--;
            _active--;
            MarkReady(destination);
            Forget(destination);
        }

        while (_active < laneLimit && _ready.TryDequeue(out var next))
        {
            next.IsReady = false;
            if (next.Waiting.Count == 0 || next.Active >= destinationLimit)
            {
                Forget(next);
                continue;
            }

            started.Add(next.Waiting.Dequeue());
            next.Active++;
            _active++;
            MarkReady(next);
        }

        return started;
    }

    private Destination DestinationOf(OutboxWork work)
    {
        if (!_destinations.TryGetValue(work.Message.Destination, out var destination))
        {
            destination = new Destination(work.Message.Destination);
            _destinations.Add(destination.Name, destination);
        }

        return destination;
    }

    /// <summary>Puts a destination that has waiting messages and room in line (once).</summary>
    private void MarkReady(Destination destination)
    {
        if (!destination.IsReady && destination.Waiting.Count > 0 && destination.Active < destinationLimit)
        {
            destination.IsReady = true;
            _ready.Enqueue(destination);
        }
    }

    /// <summary>Drops an idle destination, so that the table holds only destinations with work.</summary>
    private void Forget(Destination destination)
    {
        if (destination.Active == 0 && destination.Waiting.Count == 0 && !destination.IsReady)
        {
            _destinations.Remove(destination.Name);
        }
    }

    private sealed class Destination(string name)
    {
        public string Name { get; } = name;

        public int Active { get; set; }

        public Queue<OutboxWork> Waiting { get; } = new();

        public bool IsReady { get; set; }
    }
}
