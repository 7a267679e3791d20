using System.Threading.Channels;
using Backchannel.Abstractions;
using Backchannel.Domain;
using Microsoft.Extensions.Hosting;

namespace Backchannel.Channels.App;

/// <summary>
/// Wakes the devices' streams and long polls when something happens to their user's requests. One subscription to the
/// change feed serves them all, by subject; a wake-up is only a hint to read the store again (the feed may drop events,
/// and a stream also reads the store on its own every <see cref="AppDeviceRequests.ResyncInterval"/>). At most
/// <see cref="MaxWatchers"/> are held by one process.
/// </summary>
public sealed class DeviceRequestWatchers(IRequestEventFeed feed) : BackgroundService
{
    public const int MaxWatchers = 10_000;

    private readonly Dictionary<string, List<Watcher>> _bySubject = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private int _count;

    /// <summary>How many streams and long polls this process holds now.</summary>
    public int Held
    {
        get
        {
            lock (_gate)
            {
                return _count;
            }
        }
    }

    /// <summary>Starts watching <paramref name="subject"/>'s requests; null when <see cref="MaxWatchers"/> are held.</summary>
    public Watcher? TryWatch(string subject)
    {
        lock (_gate)
        {
            if (_count >= MaxWatchers)
            {
                return null;
            }

            var watcher = new Watcher(this, subject);
            if (!_bySubject.TryGetValue(subject, out var list))
            {
                _bySubject[subject] = list = [];
            }

            list.Add(watcher);
            _count++;
            return watcher;
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var change in feed.SubscribeAsync(stoppingToken).ConfigureAwait(false))
            {
                if (change.Kind == RequestEventKind.Notified)
                {
                    continue;
                }

                lock (_gate)
                {
                    if (_bySubject.TryGetValue(change.Subject, out var watchers))
                    {
                        foreach (var watcher in watchers)
                        {
                            watcher.Signal();
                        }
                    }
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    private void Release(Watcher watcher)
    {
        lock (_gate)
        {
            if (_bySubject.TryGetValue(watcher.Subject, out var list) && list.Remove(watcher))
            {
                _count--;
                if (list.Count == 0)
                {
                    _bySubject.Remove(watcher.Subject);
                }
            }
        }
    }

    /// <summary>One stream or long poll watching a user's requests.</summary>
    public sealed class Watcher : IDisposable
    {
        private readonly DeviceRequestWatchers _owner;
        private readonly Channel<bool> _changes = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

        internal Watcher(DeviceRequestWatchers owner, string subject)
        {
            _owner = owner;
            Subject = subject;
        }

        public string Subject { get; }

        internal void Signal() => _changes.Writer.TryWrite(true);

        /// <summary>Waits until something happened to the user's requests (true) or <paramref name="timeout"/> passed (false).</summary>
        public async Task<bool> WaitAsync(TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken)
        {
            if (_changes.Reader.TryRead(out _))
            {
                return true;
            }

            if (timeout <= TimeSpan.Zero)
            {
                return false;
            }

            using var timer = new CancellationTokenSource(timeout, time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(timer.Token, cancellationToken);
            try
            {
                await _changes.Reader.WaitToReadAsync(linked.Token).ConfigureAwait(false);
                return _changes.Reader.TryRead(out _);
            }
            catch (OperationCanceledException) when (timer.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                return false;
            }
        }

        public void Dispose() => _owner.Release(this);
    }
}
