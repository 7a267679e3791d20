using System.Threading.Channels;

namespace Backchannel.Delivery;

/// <summary>
/// Hands messages that were just committed to the outbox to the <see cref="OutboxWorker"/> in memory, so that delivery
/// starts at once instead of at the next scan of the store. Losing this hand-off (a crash) loses nothing: the message
/// is in the store and the scan sends it.
/// </summary>
public sealed class OutboxDispatcher
{
    private readonly Channel<OutboxWork> _queue = Channel.CreateUnbounded<OutboxWork>(
        new UnboundedChannelOptions { SingleReader = true, SingleWriter = false, AllowSynchronousContinuations = false });

    public void Dispatch(OutboxWork work) => _queue.Writer.TryWrite(work);

    internal ChannelReader<OutboxWork> Reader => _queue.Reader;
}
