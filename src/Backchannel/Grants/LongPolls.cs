using System.Collections.Concurrent;
using Backchannel.Abstractions;
using Backchannel.Domain;
using Backchannel.Protocol;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Backchannel.Grants;

/// <summary>
/// Polls held open at /token (<c>Ciba:LongPollSeconds</c>), woken by the request-event feed when their request is
/// decided, fails or expires. With the embedded store the feed is this process's; a store shared by several nodes
/// carries it across them, so a poll held by one node wakes when another node records the decision. The number of
/// held polls is bounded (<see cref="MaxHeld"/>); beyond it a poll is answered at once, as without long polling.
/// When the server stops, held polls are answered at once.
/// </summary>
public sealed class LongPolls(IRequestEventFeed feed, IOptions<CibaOptions> options, IHostApplicationLifetime lifetime, TimeProvider time)
    : BackgroundService
{
    /// <summary>The most polls held at once by one process (each costs a few hundred bytes and an open connection).</summary>
    public const int MaxHeld = 10_000;

    private readonly ConcurrentDictionary<string, Watch> _watches = new(StringComparer.Ordinal);
    private int _held;

    public bool Enabled => options.Value.LongPollSeconds > 0;

    /// <summary>
    /// Starts watching a request before its state is read again (so that a decision landing in between is not missed);
    /// null when long polling is off or <see cref="MaxHeld"/> polls are held.
    /// </summary>
    public Watch? TryWatch(string requestId)
    {
        if (!Enabled)
        {
            return null;
        }

        if (Interlocked.Increment(ref _held) > MaxHeld)
        {
            Interlocked.Decrement(ref _held);
            return null;
        }

        while (true)
        {
            var watch = _watches.GetOrAdd(requestId, static (id, owner) => new Watch(owner, id), this);
            if (watch.TryJoin())
            {
                return watch;
            }

            // The watch was just closed by its last holder; a fresh one replaces it.
        }
    }

    /// <summary>
    /// Waits until the watched request changes, <paramref name="expiresAt"/>, <c>Ciba:LongPollSeconds</c>, the
    /// server stops or the client goes away, whichever comes first.
    /// </summary>
    public async Task WaitAsync(Watch watch, DateTimeOffset expiresAt, CancellationToken cancellationToken)
    {
        var until = TimeSpan.FromSeconds(options.Value.LongPollSeconds);
        var left = expiresAt - time.GetUtcNow();
        if (left < until)
        {
            until = left;
        }

        if (until <= TimeSpan.Zero)
        {
            return;
        }

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, lifetime.ApplicationStopping);
        var delay = Task.Delay(until, time, stop.Token);
        await Task.WhenAny(watch.Changed, delay).ConfigureAwait(false);
        await stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await delay.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The change came first, the client left or the server stops: nothing to wait for.
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!Enabled)
        {
            return;
        }

        try
        {
            await foreach (var change in feed.SubscribeAsync(stoppingToken).ConfigureAwait(false))
            {
                if (change.Kind is RequestEventKind.Decided or RequestEventKind.Cancelled or RequestEventKind.Failed or RequestEventKind.Expired
                        or RequestEventKind.Redeemed
                    && _watches.TryGetValue(change.RequestId, out var watch))
                {
                    watch.Signal();
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    private void Release(Watch watch)
    {
        Interlocked.Decrement(ref _held);
        _watches.TryRemove(new KeyValuePair<string, Watch>(watch.RequestId, watch));
    }

    /// <summary>One request watched by the polls held for it (a client may poll the same request twice at once).</summary>
    public sealed class Watch : IDisposable
    {
        private readonly LongPolls _owner;
        private readonly TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly Lock _gate = new();
        private int _holders;
        private bool _closed;

        internal Watch(LongPolls owner, string requestId)
        {
            _owner = owner;
            RequestId = requestId;
        }

        public string RequestId { get; }

        /// <summary>Completes when the request was decided, failed, expired or redeemed.</summary>
        public Task Changed => _changed.Task;

        internal bool TryJoin()
        {
            lock (_gate)
            {
                if (_closed)
                {
                    return false;
                }

                _holders++;
                return true;
            }
        }

        internal void Signal() => _changed.TrySetResult();

        public void Dispose()
        {
            bool last;
            lock (_gate)
            {
                last = --_holders == 0;
                _closed |= last;
            }

            if (last)
            {
                _owner.Release(this);
            }
            else
            {
                Interlocked.Decrement(ref _owner._held);
            }
        }
    }
}
