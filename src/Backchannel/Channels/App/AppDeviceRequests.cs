using System.Runtime.CompilerServices;
using Backchannel.Abstractions;
using Backchannel.Clients;
using Backchannel.Domain;
using Microsoft.Extensions.Hosting;

namespace Backchannel.Channels.App;

/// <summary>
/// What a device is shown: its user's pending requests that went to the app channel, listed at once, after a wait for
/// one to arrive (long polling), or as a stream of changes (Server-Sent Events): requests that appear, and requests that
/// stop being pending (decided through any channel, failed, expired). The store is the record; the change feed only
/// says when to read it again.
/// </summary>
public sealed class AppDeviceRequests(
    IAuthenticationRequestStore requests,
    ClientCatalog clients,
    DeviceRequestWatchers watchers,
    IHostApplicationLifetime lifetime,
    TimeProvider time)
{
    /// <summary>The most pending requests listed at once.</summary>
    public const int MaxListed = 100;

    /// <summary>The longest a long poll waits.</summary>
    public const int MaxWaitSeconds = 30;

    /// <summary>How often a stream reads the store even without a change (and sends a keep-alive when nothing changed).</summary>
    public static readonly TimeSpan ResyncInterval = TimeSpan.FromSeconds(15);

    /// <summary>The pending app requests of the device's user, oldest first.</summary>
    public async Task<IReadOnlyList<AppRequestView>> PendingAsync(AppDevice device, CancellationToken cancellationToken)
    {
        var pending = await requests.ListPendingForSubjectAsync(device.Subject, time.GetUtcNow(), MaxListed, cancellationToken);
        var views = new List<AppRequestView>(pending.Count);
        foreach (var request in pending.Where(r => r.UsesChannel(AppChannelOptions.ChannelName)))
        {
            views.Add(AppRequestView.From(request, (await clients.FindAsync(request.ClientId, cancellationToken))?.ClientName));
        }

        return views;
    }

    /// <summary>Starts watching the device's user's requests (for a stream); null when this process holds as many watches as it may.</summary>
    public DeviceRequestWatchers.Watcher? TryWatch(AppDevice device) => watchers.TryWatch(device.Subject);

    /// <summary>
    /// The pending app requests, at once when there are some, else as soon as one arrives, at most <paramref name="wait"/>
    /// later (or when the server stops).
    /// </summary>
    public async Task<IReadOnlyList<AppRequestView>> WaitForPendingAsync(AppDevice device, TimeSpan wait, CancellationToken cancellationToken)
    {
        // Watch before reading, so that a request arriving in between is not missed.
        using var watcher = wait > TimeSpan.Zero ? watchers.TryWatch(device.Subject) : null;
        var pending = await PendingAsync(device, cancellationToken);
        var deadline = time.GetUtcNow() + wait;
        while (pending.Count == 0 && watcher is not null)
        {
            var change = await WaitAsync(watcher, deadline - time.GetUtcNow(), cancellationToken);
            if (change == Change.Stopped)
            {
                break;
            }

            pending = await PendingAsync(device, cancellationToken);
            if (change == Change.TimedOut)
            {
                break;
            }
        }

        return pending;
    }

    /// <summary>
    /// The stream of a device: each pending app request once (<see cref="DeviceStreamEvent.Request"/>), each of those once
    /// it is no longer pending (<see cref="DeviceStreamEvent.Closed"/>), and a keep-alive when nothing happened for
    /// <see cref="ResyncInterval"/>; until <paramref name="until"/>, the server stops, or the device goes away.
    /// </summary>
    public async IAsyncEnumerable<DeviceStreamEvent> StreamAsync(AppDevice device, DeviceRequestWatchers.Watcher watcher, DateTimeOffset until,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var shown = new List<string>();
        while (true)
        {
            var pending = await PendingAsync(device, cancellationToken);
            foreach (var request in pending.Where(r => !shown.Contains(r.TransactionId)))
            {
                shown.Add(request.TransactionId);
                yield return new DeviceStreamEvent(request, null);
            }

            foreach (var gone in shown.Where(id => pending.All(r => r.TransactionId != id)).ToList())
            {
                shown.Remove(gone);
                yield return new DeviceStreamEvent(null, new AppRequestClosed(gone, await ClosedStatusAsync(gone, cancellationToken)));
            }

            var left = until - time.GetUtcNow();
            if (left <= TimeSpan.Zero)
            {
                yield break;
            }

            switch (await WaitAsync(watcher, left < ResyncInterval ? left : ResyncInterval, cancellationToken))
            {
                case Change.Stopped:
                    yield break;
                case Change.TimedOut when time.GetUtcNow() < until:
                    yield return DeviceStreamEvent.KeepAlive;
                    break;
            }
        }
    }

    /// <summary>What became of a request that is no longer pending: approved, denied, failed or expired.</summary>
    private async Task<string> ClosedStatusAsync(string transactionId, CancellationToken cancellationToken) =>
        (await requests.FindAsync(transactionId, cancellationToken))?.Status switch
        {
            AuthenticationRequestStatus.Approved or AuthenticationRequestStatus.Redeemed => "approved",
            AuthenticationRequestStatus.Denied => "denied",
            AuthenticationRequestStatus.Failed => "failed",
            _ => "expired",
        };

    private async Task<Change> WaitAsync(DeviceRequestWatchers.Watcher watcher, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, lifetime.ApplicationStopping);
        try
        {
            return await watcher.WaitAsync(timeout, time, stop.Token) ? Change.Changed : Change.TimedOut;
        }
        catch (OperationCanceledException) when (lifetime.ApplicationStopping.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return Change.Stopped;
        }
    }

    private enum Change
    {
        Changed,
        TimedOut,
        Stopped,
    }
}

/// <summary>One event of a device's stream: a request to show, a request that closed, or (both null) a keep-alive.</summary>
public sealed record DeviceStreamEvent(AppRequestView? Request, AppRequestClosed? Closed)
{
    public static DeviceStreamEvent KeepAlive { get; } = new(null, null);
}
