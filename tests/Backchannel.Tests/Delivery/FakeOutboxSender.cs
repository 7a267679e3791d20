using System.Collections.Concurrent;
using Backchannel.Abstractions;
using Backchannel.Delivery;
using Backchannel.Domain;

namespace Backchannel.Tests.Delivery;

/// <summary>
/// An outbox sender of one kind that records what it is given and answers as <see cref="Behaviour"/> says (delivered,
/// unless told otherwise); it tracks how many sends run at once per destination.
/// </summary>
internal sealed class FakeOutboxSender(OutboxKind kind) : IOutboxMessageSender
{
    private readonly ConcurrentDictionary<string, int> _active = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _maxActive = new(StringComparer.Ordinal);

    public OutboxKind Kind => kind;

    public Func<OutboxWork, CancellationToken, Task<DeliveryResult>> Behaviour { get; set; } = (_, _) => Task.FromResult(DeliveryResult.Delivered);

    public ConcurrentQueue<OutboxWork> Sent { get; } = new();

    public ConcurrentQueue<(OutboxWork Work, DeliveryResult LastResult)> GivenUp { get; } = new();

    public int SentFor(string requestId) => Sent.Count(w => w.Message.RequestId == requestId);

    public int SentTo(string destination) => Sent.Count(w => w.Message.Destination == destination);

    /// <summary>The most sends to <paramref name="destination"/> that ran at once.</summary>
    public int MaxConcurrent(string destination) => _maxActive.GetValueOrDefault(destination);

    public async Task<DeliveryResult> SendAsync(OutboxWork work, CancellationToken cancellationToken)
    {
        var destination = work.Message.Destination;
        var active = _active.AddOrUpdate(destination, 1, (_, n) => n + 1);
        _maxActive.AddOrUpdate(destination, active, (_, max) => Math.Max(max, active));
        Sent.Enqueue(work);
        try
        {
            return await Behaviour(work, cancellationToken);
        }
        finally
        {
            _active.AddOrUpdate(destination, 0, (_, n) => n - 1);
        }
    }

    public Task GiveUpAsync(OutboxWork work, DeliveryResult lastResult, CancellationToken cancellationToken)
    {
        GivenUp.Enqueue((work, lastResult));
        return Task.CompletedTask;
    }
}
