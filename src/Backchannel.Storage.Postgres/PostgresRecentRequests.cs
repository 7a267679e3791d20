using Backchannel.Domain;

namespace Backchannel.Storage.Postgres;

/// <summary>
/// Requests this node created or read lately, by id, at most <c>capacity</c> of them and about <c>budget</c> bytes (the
/// first remembered go first): what a decision or a failure makes its effects from instead of reading the row first,
/// which saves the exchange a round trip when the decision reaches the node that created or last read the request. Only
/// ever a guess: the statement that uses one is conditional on the row being as remembered (its status, its auth_req_id
/// hash, its interval; nothing else of a pending request changes), and where it is not (another node moved it on, a poll
/// there grew its interval), nothing is written and the row is read as it is. No outcome depends on what a node
/// remembers; forgetting costs a round trip.
/// </summary>
internal sealed class PostgresRecentRequests(int capacity, long budget)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, (AuthenticationRequest Request, int Size)> _requests = new(StringComparer.Ordinal);

    /// <summary>The ids in the order they were first remembered (with ids forgotten since), at most <c>capacity</c>.</summary>
    private readonly Queue<string> _order = new();

    private long _size;

    public AuthenticationRequest? Find(string id)
    {
        lock (_gate)
        {
            return _requests.TryGetValue(id, out var entry) ? entry.Request : null;
        }
    }

    /// <summary>Remembers <paramref name="request"/> as the store holds it now (replacing what was remembered of it).</summary>
    public void Remember(AuthenticationRequest request)
    {
        var size = Size(request);
        if (size > budget)
        {
            return;
        }

        lock (_gate)
        {
            if (_requests.TryGetValue(request.Id, out var previous))
            {
                _size -= previous.Size;
            }
            else
            {
                _order.Enqueue(request.Id);
            }

            _requests[request.Id] = (request, size);
            _size += size;
            while (_order.Count > capacity || _size > budget)
            {
                Remove(_order.Dequeue());
            }
        }
    }

    /// <summary>What this node now knows of a request it may remember: its interval after a poll.</summary>
    public void Polled(string id, int intervalSeconds)
    {
        lock (_gate)
        {
            if (_requests.TryGetValue(id, out var entry) && entry.Request.IntervalSeconds != intervalSeconds)
            {
                _requests[id] = (entry.Request with { IntervalSeconds = intervalSeconds }, entry.Size);
            }
        }
    }

    public void Forget(string id)
    {
        lock (_gate)
        {
            Remove(id);
        }
    }

    private void Remove(string id)
    {
        if (_requests.Remove(id, out var entry))
        {
            _size -= entry.Size;
        }
    }

    /// <summary>Roughly what a request takes in memory: its strings (two bytes a character), byte arrays, and the objects.</summary>
    private static int Size(AuthenticationRequest r) =>
        256 + r.AuthReqIdHash.Length + (r.SealedAuthReqId?.Length ?? 0) + (2 * (r.Id.Length + r.ClientId.Length + r.Subject.Length + r.Scope.Length
            + (r.AcrValues?.Length ?? 0) + (r.BindingMessage?.Length ?? 0) + (r.LoginHint?.Length ?? 0) + (r.AuthorizationDetails?.Length ?? 0)
            + (r.RequestContext?.Length ?? 0) + (r.ClientNotificationToken?.Length ?? 0) + r.DeliveryMode.Length + r.Channel.Length
            + (r.Acr?.Length ?? 0) + (r.Amr?.Sum(value => value.Length + 16) ?? 0)));
}
