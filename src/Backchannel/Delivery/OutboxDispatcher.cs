using System.Threading.Channels;
using Backchannel.Abstractions;
using Backchannel.Domain;
using Microsoft.Extensions.Options;

namespace Backchannel.Delivery;

/// <summary>
/// The in-process hand-off to the <see cref="OutboxWorker"/>: a message committed with a lease of this node is given to
/// the worker in memory, so that delivery starts at once instead of at the next scan of the store. Losing the hand-off
/// (a crash) loses nothing: the message is in the store and is sent once its lease ends.
/// </summary>
public sealed class OutboxDispatcher(NodeIdentity node, IOptions<NotificationOptions> options, TimeProvider time) : IOutboxHandOff
{
    private readonly Channel<OutboxWork> _queue = Channel.CreateUnbounded<OutboxWork>(
        new UnboundedChannelOptions { SingleReader = true, SingleWriter = false, AllowSynchronousContinuations = false });

    public OutboxMessage Lease(OutboxMessage message) => message.NextAttemptAt > time.GetUtcNow()
        ? message
        : message with { LeaseOwner = node.Id, LeaseUntil = time.GetUtcNow().AddSeconds(options.Value.LeaseSeconds) };

    public void HandOff(OutboxMessage message, AuthenticationRequest? request)
    {
        // A message scheduled for later (a channel's delay) is left to the scan; only one leased to this node is handed over.
        if (message.LeaseOwner == node.Id)
        {
            _queue.Writer.TryWrite(new OutboxWork(message, request));
        }
    }

    /// <summary>Messages the periodic scan claimed.</summary>
    internal void Dispatch(OutboxWork work) => _queue.Writer.TryWrite(work);

    internal ChannelReader<OutboxWork> Reader => _queue.Reader;
}
