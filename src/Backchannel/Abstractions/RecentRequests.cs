using Backchannel.Domain;

namespace Backchannel.Abstractions;

/// <summary>
/// For the store engines: requests this node created or read lately, by id, at most <c>capacity</c> of them and about <c>budget</c> bytes (the
/// first remembered go first): what a decision or a failure makes its effects from instead of reading the row first,
/// which saves the exchange a round trip when the decision reaches the node that created or last read the request. Only
/// ever a guess: the statement that uses one is conditional on the row being as remembered (its status, its auth_req_id
/// hash, its interval; nothing else of a pending request changes), and where it is not (another node moved it on, a poll
/// there grew its interval), nothing is written and the row is read as it is. No outcome depends on what a node
/// remembers; forgetting costs a round trip.
/// A request this node approved is also found by its auth_req_id hash (<see cref="FindApprovedByHash"/>): the token
/// request that redeems it needs no read first, since an approved request only moves on by a redemption (or its expiry
/// and removal), and the redemption is conditional on the row still being approved and unexpired.
/// </summary>
public sealed class RecentRequests(int capacity, long budget)
{
    /// <summary>How many requests a node remembers by default: about 16,000 of a kilobyte (fewer when clients send long authorization_details).</summary>
    public const int DefaultCapacity = 16_384;

    /// <summary>The memory they may take by default.</summary>
    public const long DefaultBudget = 16L * 1024 * 1024;

    private readonly Lock _gate = new();
    private readonly Dictionary<string, (AuthenticationRequest Request, int Size)> _requests = new(StringComparer.Ordinal);

    /// <summary>The ids of the remembered requests, by auth_req_id hash.</summary>
    private readonly Dictionary<byte[], string> _idsByHash = new(HashComparer.Instance);

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

    /// <summary>The remembered request with this auth_req_id hash, if this node approved it; null otherwise.</summary>
    public AuthenticationRequest? FindApprovedByHash(byte[] authReqIdHash)
    {
        lock (_gate)
        {
            return _idsByHash.TryGetValue(authReqIdHash, out var id) && _requests.TryGetValue(id, out var entry)
                && entry.Request.Status == AuthenticationRequestStatus.Approved
                ? entry.Request
                : null;
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
            _idsByHash[request.AuthReqIdHash] = request.Id;
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

    /// <summary>Forgets the requests that expired before <paramref name="cutoff"/> (the store removes their rows).</summary>
    public void ForgetExpiredBefore(DateTimeOffset cutoff)
    {
        lock (_gate)
        {
            foreach (var (id, entry) in _requests)
            {
                if (entry.Request.ExpiresAt < cutoff)
                {
                    Remove(id);
                }
            }
        }
    }

    private void Remove(string id)
    {
        if (_requests.Remove(id, out var entry))
        {
            _size -= entry.Size;
            _idsByHash.Remove(entry.Request.AuthReqIdHash);
        }
    }

    /// <summary>Roughly what a request takes in memory: its strings (two bytes a character), byte arrays, and the objects.</summary>
    private static int Size(AuthenticationRequest r) =>
        256 + r.AuthReqIdHash.Length + (r.SealedAuthReqId?.Length ?? 0) + (2 * (r.Id.Length + r.ClientId.Length + r.Subject.Length + r.Scope.Length
            + (r.AcrValues?.Length ?? 0) + (r.BindingMessage?.Length ?? 0) + (r.LoginHint?.Length ?? 0) + (r.AuthorizationDetails?.Length ?? 0)
            + (r.RequestContext?.Length ?? 0) + (r.ClientNotificationToken?.Length ?? 0) + (r.DpopKeyThumbprint?.Length ?? 0) + r.DeliveryMode.Length + r.Channel.Length
            + (r.Acr?.Length ?? 0) + (r.Amr?.Sum(value => value.Length + 16) ?? 0)));

    /// <summary>Compares auth_req_id hashes by content; SHA-256 values, so their first bytes are already a good hash code.</summary>
    private sealed class HashComparer : IEqualityComparer<byte[]>
    {
        public static HashComparer Instance { get; } = new();

        public bool Equals(byte[]? x, byte[]? y) => x.AsSpan().SequenceEqual(y);

        public int GetHashCode(byte[] obj) => obj.Length >= sizeof(int) ? BitConverter.ToInt32(obj, 0) : obj.Length;
    }
}
