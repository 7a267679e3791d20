using Backchannel.Abstractions;
using Backchannel.Domain;
using Microsoft.Extensions.Time.Testing;

namespace Backchannel.Tests.Storage.Contract;

/// <summary>
/// The common ground of the store contract tests: a fresh store of the engine under test for each test (opened in
/// <see cref="InitializeAsync"/>, removed in <see cref="DisposeAsync"/>), reached only through the store interfaces.
/// Times are explicit: every test speaks of <see cref="Now"/> and offsets from it, and the engine's clock is a
/// <see cref="FakeTimeProvider"/> standing at <see cref="Now"/>, so that nothing depends on the wall clock.
/// </summary>
public abstract class StoreContract : IAsyncLifetime
{
    /// <summary>The tests' present (with milliseconds, so that an engine that loses them is caught).</summary>
    protected static readonly DateTimeOffset Now = new(2030, 1, 2, 3, 4, 5, 678, TimeSpan.Zero);

    /// <summary>An owner that only looks: see <see cref="InspectOutboxAsync"/>.</summary>
    private const string Inspector = "contract-inspector";

    private StoreEngine? _engine;
    private Stores? _stores;

    protected FakeTimeProvider Time { get; } = new(Now);

    /// <summary>The engine under test: a new, empty store.</summary>
    protected abstract StoreEngine CreateEngine();

    protected StoreEngine Engine => _engine ?? throw new InvalidOperationException("The engine is not open.");

    /// <summary>The store as currently open (replaced by <see cref="ReopenAsync"/>).</summary>
    protected Stores Stores => _stores ?? throw new InvalidOperationException("The engine is not open.");

    protected IAuthenticationRequestStore Requests => Stores.Requests;

    protected IOutboxStore Outbox => Stores.Outbox;

    public async Task InitializeAsync()
    {
        _engine = CreateEngine();
        _stores = await _engine.OpenAsync(Time);
    }

    public async Task DisposeAsync()
    {
        if (_engine is not null)
        {
            await _engine.DisposeAsync();
        }
    }

    /// <summary>Closes the store and opens the same data in a new instance, as a restarted process would.</summary>
    protected async Task<Stores> ReopenAsync()
    {
        _stores = await Engine.OpenAsync(Time);
        return _stores;
    }

    /// <summary>Stores <paramref name="request"/> with its device notification (no lease); returns the stored notification.</summary>
    protected async Task<OutboxMessage> CreateAsync(AuthenticationRequest request) =>
        (await Requests.CreateAsync(request, [StoreData.DeviceNotification(request, request.CreatedAt)], 0, CancellationToken.None))![0];

    /// <summary>A new pending request, stored.</summary>
    protected async Task<AuthenticationRequest> PendingAsync(string deliveryMode = Backchannel.Protocol.DeliveryModes.Poll,
        TimeSpan? lifetime = null, DateTimeOffset? createdAt = null, string subject = "alice", string clientId = "client-a")
    {
        var request = StoreData.Request(createdAt ?? Now, lifetime: lifetime, deliveryMode: deliveryMode, subject: subject, clientId: clientId);
        await CreateAsync(request);
        return request;
    }

    /// <summary>A new request, stored and approved at <paramref name="decidedAt"/> (default: its creation), without effects.</summary>
    protected async Task<AuthenticationRequest> ApprovedAsync(string deliveryMode = Backchannel.Protocol.DeliveryModes.Poll,
        TimeSpan? lifetime = null, DateTimeOffset? createdAt = null, DateTimeOffset? decidedAt = null)
    {
        var request = await PendingAsync(deliveryMode, lifetime, createdAt);
        var result = await Requests.DecideAsync(StoreData.Approval(request), decidedAt ?? request.CreatedAt, _ => DecisionEffects.None,
            CancellationToken.None);
        Assert.Equal(DecisionOutcome.Decided, result.Outcome);
        return result.Request!;
    }

    /// <summary>
    /// Every message in the outbox that is due at <paramref name="at"/> (default: a minute from <see cref="Now"/>) and not
    /// leased to a node then, seen by claiming them for an inspector and releasing them again at once.
    /// </summary>
    protected async Task<IReadOnlyList<OutboxMessage>> InspectOutboxAsync(DateTimeOffset? at = null)
    {
        var messages = await Outbox.ClaimDueAsync(Inspector, at ?? Now.AddMinutes(1), TimeSpan.FromMinutes(1), 10_000, CancellationToken.None);
        Assert.Equal(messages.Count, await Outbox.ReleaseLeasesAsync(Inspector, CancellationToken.None));
        return messages;
    }

    /// <summary>The messages about <paramref name="request"/> in the outbox, as <see cref="InspectOutboxAsync"/> sees them.</summary>
    protected async Task<IReadOnlyList<OutboxMessage>> OutboxOfAsync(AuthenticationRequest request, DateTimeOffset? at = null) =>
        (await InspectOutboxAsync(at)).Where(m => m.RequestId == request.Id).ToList();
}
