using System.Globalization;
using System.Security.Cryptography;

namespace Backchannel.LoadGen;

/// <summary>What one run measured, for the report.</summary>
public sealed class RunOutcome
{
    public required RunMetrics Measured { get; init; }
    public required double MeasuredSeconds { get; init; }
    public bool Interrupted { get; init; }
    public double? ServerCpuSeconds { get; init; }
    public double GeneratorCpuSeconds { get; init; }
    public (long? Rss, long? PeakRss) ServerMemory { get; init; }
    public (long? Rss, long? PeakRss) GeneratorMemory { get; init; }

    // polling mode: the setup phase (creating the pending requests)
    public RunMetrics? Setup { get; init; }
    public double SetupSeconds { get; init; }
    public long PendingCreated { get; init; }
    public long PendingLive { get; init; }
}

/// <summary>The three load shapes. Each runs a warm-up, then a measured window, then stops its loops.</summary>
public sealed class LoadRunner
{
    private static readonly TimeSpan DrainGrace = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan ProgressEvery = TimeSpan.FromSeconds(5);

    private readonly LoadGenOptions _options;
    private readonly ProviderClient _client;
    private readonly DeviceService? _device;
    private readonly MetricsHub _hub;
    private readonly string _runTag;
    private long _sequence;
    private string _phase = "setup";
    private long _phaseStartedAt = Clock.Now;

    public LoadRunner(LoadGenOptions options, ProviderClient client, DeviceService? device, MetricsHub hub)
    {
        _options = options;
        _client = client;
        _device = device;
        _hub = hub;
        // binding_message = "<kind>-<run>-<n>": unique per flow and per run, only [A-Za-z0-9-].
        var run = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3));
        _runTag = options.Mode switch
        {
            RunMode.Flows => $"f-{run}-",
            RunMode.Polling => $"p-{run}-",
            _ => $"e-{run}-",
        };
    }

    public Task<RunOutcome> RunAsync(CancellationToken userStop) => _options.Mode switch
    {
        RunMode.Flows => RunFlowsAsync(userStop),
        RunMode.Polling => RunPollingAsync(userStop),
        _ => RunEndpointAsync(userStop),
    };

    // ------------------------------------------------------------------------------------------------
    // Shared timeline: warm-up, measured window (CPU sampled at both ends), then stop the loops
    // ------------------------------------------------------------------------------------------------

    private async Task<RunOutcome> WarmupAndMeasureAsync(CancellationToken userStop, RunMetrics? setup = null, double setupSeconds = 0, Func<long>? created = null, Func<long>? live = null)
    {
        SetPhase("warm-up", new RunMetrics());
        await SafeDelay(_options.Warmup, userStop).ConfigureAwait(false);

        var serverPid = _options.ServerPid;
        var serverCpu0 = serverPid is { } p0 ? ProcessStats.CpuSeconds(p0) : null;
        var selfCpu0 = ProcessStats.CpuSeconds(Environment.ProcessId) ?? 0;
        var start = Clock.Now;
        var measured = new RunMetrics();
        SetPhase("measured", measured);

        await SafeDelay(_options.Duration, userStop).ConfigureAwait(false);

        SetPhase("drain", new RunMetrics());
        var end = Clock.Now;
        var serverCpu1 = serverPid is { } p1 ? ProcessStats.CpuSeconds(p1) : null;
        var selfCpu1 = ProcessStats.CpuSeconds(Environment.ProcessId) ?? 0;

        return new RunOutcome
        {
            Measured = measured,
            MeasuredSeconds = Clock.Seconds(end - start),
            Interrupted = userStop.IsCancellationRequested,
            ServerCpuSeconds = serverCpu0 is { } a && serverCpu1 is { } b ? b - a : null,
            GeneratorCpuSeconds = selfCpu1 - selfCpu0,
            ServerMemory = serverPid is { } p2 ? ProcessStats.Memory(p2) : (null, null),
            GeneratorMemory = ProcessStats.Memory(Environment.ProcessId),
            Setup = setup,
            SetupSeconds = setupSeconds,
            PendingCreated = created?.Invoke() ?? 0,
            PendingLive = live?.Invoke() ?? 0,
        };
    }

    private void SetPhase(string name, RunMetrics metrics)
    {
        _hub.Switch(metrics);
        Volatile.Write(ref _phaseStartedAt, Clock.Now);
        Volatile.Write(ref _phase, name);
        Progress(name switch
        {
            "warm-up" => $"warm-up {_options.Warmup.TotalSeconds:0.#} s (not measured)",
            "measured" => $"measured window {_options.Duration.TotalSeconds:0.#} s",
            "drain" => "measured window over, stopping the loops",
            _ => null,
        });
    }

    private static async Task SafeDelay(TimeSpan delay, CancellationToken ct)
    {
        try
        {
            await Task.Delay(delay, ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Ctrl+C: the window ends now
        }
    }

    /// <summary>Lets the loops finish what they are doing for a moment, then cancels what is still in flight.</summary>
    private static async Task StopAsync(CancellationTokenSource stopNew, CancellationTokenSource abort, Task[] loops)
    {
        await stopNew.CancelAsync().ConfigureAwait(false);
        var all = Task.WhenAll(loops);
        if (await Task.WhenAny(all, Task.Delay(DrainGrace)).ConfigureAwait(false) != all)
        {
            await abort.CancelAsync().ConfigureAwait(false);
        }

        try
        {
            await all.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // expected on abort
        }
    }

    private void Progress(string? message)
    {
        if (message is not null && !_options.Quiet)
        {
            Console.Error.WriteLine($"[{DateTime.Now:HH:mm:ss}] {message}");
        }
    }

    private async Task ProgressLoopAsync(CancellationToken ct)
    {
        if (_options.Quiet)
        {
            return;
        }

        try
        {
            while (true)
            {
                await Task.Delay(ProgressEvery, ct).ConfigureAwait(false);
                var m = _hub.Current;
                var seconds = Math.Max(Clock.Seconds(Clock.Now - Volatile.Read(ref _phaseStartedAt)), 1e-9);
                var phase = Volatile.Read(ref _phase);
                var line = _options.Mode switch
                {
                    RunMode.Flows => $"flows {m.FlowsCompleted} ok ({m.FlowsCompleted / seconds:0.0}/s), {m.FlowsFailed} failed",
                    RunMode.Polling => $"bc-authorize {m.BcAuthorize.Requests}, polls {m.Token.Requests} ({m.Token.Requests / seconds:0.0}/s): pending {m.TokenPending}, slow_down {m.TokenSlowDown}, other {m.TokenOther}",
                    _ => $"requests {m.BcAuthorize.Requests + m.Discovery.Requests} ({(m.BcAuthorize.Requests + m.Discovery.Requests) / seconds:0.0}/s)",
                };
                Console.Error.WriteLine($"[{DateTime.Now:HH:mm:ss}]   {phase} +{seconds:0}s: {line}, errors {m.TotalErrors}");
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private Pacer? _pacer;

    /// <summary>Hands out flow start times at a fixed rate, shared by all loops (open-loop load).</summary>
    private sealed class Pacer(double perSecond)
    {
        private readonly long _interval = (long)(System.Diagnostics.Stopwatch.Frequency / perSecond);
        private long _next = Clock.Now;

        public async Task WaitAsync(CancellationToken cancellationToken)
        {
            var now = Clock.Now;
            long slot;
            long current;
            do
            {
                current = Volatile.Read(ref _next);
                slot = Math.Max(current, now - _interval);
            }
            while (Interlocked.CompareExchange(ref _next, slot + _interval, current) != current);

            var wait = slot - now;
            if (wait > 0)
            {
                await Task.Delay(TimeSpan.FromSeconds(Clock.Seconds(wait)), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private string NextBindingMessage(out long n)
    {
        n = Interlocked.Increment(ref _sequence);
        return _runTag + n.ToString(CultureInfo.InvariantCulture);
    }

    // ------------------------------------------------------------------------------------------------
    // flows: complete CIBA flows, each loop one flow at a time
    // ------------------------------------------------------------------------------------------------

    private async Task<RunOutcome> RunFlowsAsync(CancellationToken userStop)
    {
        _device!.CountUnmatched = true;
        _pacer = _options.Rate is { } rate ? new Pacer(rate) : null;
        using var stopNew = new CancellationTokenSource();
        using var abort = new CancellationTokenSource();
        using var progressStop = new CancellationTokenSource();
        var progress = ProgressLoopAsync(progressStop.Token);

        var loops = new Task[_options.Concurrency];
        for (var i = 0; i < loops.Length; i++)
        {
            loops[i] = Task.Run(() => FlowLoopAsync(stopNew.Token, abort.Token), CancellationToken.None);
        }

        var outcome = await WarmupAndMeasureAsync(userStop).ConfigureAwait(false);
        await StopAsync(stopNew, abort, loops).ConfigureAwait(false);
        await progressStop.CancelAsync().ConfigureAwait(false);
        await progress.ConfigureAwait(false);
        return outcome;
    }

    private async Task FlowLoopAsync(CancellationToken stopNew, CancellationToken abort)
    {
        using var dpopKey = _options.Dpop ? new DpopProofKey() : null;
        var buffers = new WorkerBuffers { DpopKey = dpopKey };
        while (!stopNew.IsCancellationRequested)
        {
            try
            {
                if (_pacer is { } pacer)
                {
                    await pacer.WaitAsync(stopNew).ConfigureAwait(false);
                }

                await OneFlowAsync(buffers, abort).ConfigureAwait(false);
            }
            catch (Exception) when (abort.IsCancellationRequested)
            {
                return; // cancelled at the end of the run
            }
        }
    }

    private async Task OneFlowAsync(WorkerBuffers buffers, CancellationToken abort)
    {
        var device = _device!;
        var bindingMessage = NextBindingMessage(out var n);
        var notified = device.Expect(bindingMessage);

        // 1. bc-authorize
        var start = Clock.Now;
        ProviderResponse bc;
        try
        {
            bc = await _client.BcAuthorizeAsync(buffers, n, bindingMessage, abort).ConfigureAwait(false);
        }
        catch (Exception ex) when (!abort.IsCancellationRequested)
        {
            device.Forget(bindingMessage);
            FailFlow(_hub.Current, m => m.BcAuthorize, "bc-authorize", ex);
            return;
        }

        var answered = Clock.Now;
        var metrics = _hub.Current;
        var ok = bc.Status == 200 && !string.IsNullOrEmpty(bc.Answer.AuthReqId);
        metrics.BcAuthorize.Record(answered - start, ok);
        if (!ok)
        {
            device.Forget(bindingMessage);
            metrics.Error("bc-authorize: " + bc.Describe());
            metrics.FlowFailed();
            return;
        }

        // ping and push: the client notification may arrive before the callback's answer, so wait for it from now on
        var authReqId = bc.Answer.AuthReqId!;
        var delivered = _options.Delivery == TokenDelivery.Poll ? null : device.ClientNotifications.Expect(authReqId);
        try
        {
            await AfterAcknowledgementAsync(buffers, bindingMessage, notified, delivered, bc.Answer, start, answered, abort).ConfigureAwait(false);
        }
        finally
        {
            if (delivered is not null)
            {
                device.ClientNotifications.Forget(authReqId);
            }
        }
    }

    /// <summary>Steps 2 to 4 of a flow, after the provider acknowledged the request.</summary>
    private async Task AfterAcknowledgementAsync(
        WorkerBuffers buffers,
        string bindingMessage,
        Task<JsonFields.DeviceNotification> notified,
        Task<JsonFields.ClientNotification>? delivered,
        JsonFields.ProviderAnswer acknowledgement,
        long start,
        long answered,
        CancellationToken abort)
    {
        var device = _device!;
        RunMetrics metrics;

        // 2. the device notification
        JsonFields.DeviceNotification notification;
        try
        {
            notification = await notified.WaitAsync(_options.Timeout, abort).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            device.Forget(bindingMessage);
            metrics = _hub.Current;
            metrics.Notification.RecordFailure();
            metrics.Error("notification: none arrived within --timeout");
            metrics.FlowFailed();
            return;
        }

        metrics = _hub.Current;
        var delay = notification.ArrivedAt - answered;
        if (delay < 0)
        {
            metrics.CountNotificationBeforeResponse();
            delay = 0;
        }

        metrics.Notification.Record(delay, ok: true);

        if (!Uri.TryCreate(notification.CallbackUrl, UriKind.Absolute, out var callbackUrl)
            || (callbackUrl.Scheme != Uri.UriSchemeHttp && callbackUrl.Scheme != Uri.UriSchemeHttps))
        {
            metrics.Error("notification: callback_url is not an absolute http(s) URL");
            metrics.FlowFailed();
            return;
        }

        // 3. the device calls back: approved
        var callbackStart = Clock.Now;
        ProviderResponse callback;
        try
        {
            callback = await _client.ApproveAsync(buffers, callbackUrl, notification.CallbackToken, abort).ConfigureAwait(false);
        }
        catch (Exception ex) when (!abort.IsCancellationRequested)
        {
            FailFlow(_hub.Current, m => m.Callback, "callback", ex);
            return;
        }

        metrics = _hub.Current;
        var callbackAnswered = Clock.Now;
        var ok = callback.Status is >= 200 and < 300;
        metrics.Callback.Record(callbackAnswered - callbackStart, ok);
        if (!ok)
        {
            metrics.Error("callback: " + callback.Describe());
            metrics.FlowFailed();
            return;
        }

        // 4a. ping and push: the client notification (push: the tokens themselves)
        if (delivered is not null)
        {
            JsonFields.ClientNotification arrived;
            try
            {
                arrived = await delivered.WaitAsync(_options.Timeout, abort).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                metrics = _hub.Current;
                metrics.ClientNotification.RecordFailure();
                metrics.Error($"client notification: no {_options.Delivery.ToString().ToLowerInvariant()} arrived within --timeout");
                metrics.FlowFailed();
                return;
            }

            metrics = _hub.Current;
            var push = _options.Delivery == TokenDelivery.Push;
            var good = push ? arrived.Fields is { HasAccessToken: true, HasIdToken: true } : arrived.Fields.Error is null;
            metrics.ClientNotification.Record(Math.Max(0, arrived.ArrivedAt - callbackAnswered), good);
            if (!good)
            {
                metrics.Error(push
                    ? "push: " + (arrived.Fields.Error ?? "without access_token and id_token")
                    : "ping: unexpected body " + arrived.Fields.Error);
                metrics.FlowFailed();
                return;
            }

            if (push)
            {
                metrics.FlowCompleted(Math.Max(0, arrived.ArrivedAt - start));
                return;
            }
        }

        // 4b. the token request, polled again while the provider says authorization_pending / slow_down
        var form = _client.BuildTokenForm(acknowledgement.AuthReqId!);
        var interval = acknowledgement.Interval > 0 ? acknowledgement.Interval : 5;
        var expiresAt = answered + Clock.FromTimeSpan(TimeSpan.FromSeconds(acknowledgement.ExpiresIn > 0 ? acknowledgement.ExpiresIn : 120));
        while (true)
        {
            var tokenStart = Clock.Now;
            ProviderResponse token;
            try
            {
                // --dpop: a fresh proof for every token request, polls included (each needs its own jti)
                var proof = buffers.DpopKey?.Proof("POST", _client.TokenHtu!);
                token = await _client.TokenAsync(buffers, form, abort, proof).ConfigureAwait(false);
            }
            catch (Exception ex) when (!abort.IsCancellationRequested)
            {
                FailFlow(_hub.Current, m => m.Token, "token", ex);
                return;
            }

            var tokenEnd = Clock.Now;
            metrics = _hub.Current;
            if (token.Status == 200)
            {
                var issued = token.Answer.HasAccessToken && token.Answer.HasIdToken;
                metrics.Token.Record(tokenEnd - tokenStart, issued);
                if (!issued)
                {
                    metrics.CountTokenOther();
                    metrics.Error("token: HTTP 200 without access_token and id_token");
                    metrics.FlowFailed();
                    return;
                }

                if (buffers.DpopKey is not null && !token.Answer.DpopTokenType)
                {
                    metrics.Error("token: --dpop, but token_type is not DPoP");
                    metrics.FlowFailed();
                    return;
                }

                if (_client.ClientCertificate is not null && !_client.IsBoundToClientCertificate(token.Answer.AccessToken))
                {
                    metrics.Error("token: --mtls-cert, but the access token has no cnf.x5t#S256 of the certificate");
                    metrics.FlowFailed();
                    return;
                }

                metrics.FlowCompleted(tokenEnd - start);
                return;
            }

            var error = token.Answer.Error;
            if (error is "authorization_pending" or "slow_down")
            {
                metrics.Token.Record(tokenEnd - tokenStart, ok: true);
                if (error == "slow_down")
                {
                    metrics.CountTokenSlowDown();
                    interval += 5;
                }
                else
                {
                    metrics.CountTokenPending();
                }

                var wait = TimeSpan.FromSeconds(interval);
                if (Clock.Now + Clock.FromTimeSpan(wait) > expiresAt)
                {
                    metrics.Error($"token: still {error} when the request expires");
                    metrics.FlowFailed();
                    return;
                }

                await Task.Delay(wait, abort).ConfigureAwait(false);
                continue;
            }

            metrics.Token.Record(tokenEnd - tokenStart, ok: false);
            metrics.CountTokenOther();
            metrics.Error("token: " + token.Describe());
            metrics.FlowFailed();
            return;
        }
    }

    private static void FailFlow(RunMetrics metrics, Func<RunMetrics, EndpointStats> endpoint, string step, Exception ex)
    {
        endpoint(metrics).RecordFailure();
        metrics.Error($"{step}: {ExceptionKind.Describe(ex)}");
        metrics.FlowFailed();
    }

    // ------------------------------------------------------------------------------------------------
    // polling: --pending requests never approved, each polled at its interval
    // ------------------------------------------------------------------------------------------------

    private sealed class PendingRequest(byte[] tokenForm, int interval)
    {
        public byte[] TokenForm { get; } = tokenForm;
        public int Interval { get; set; } = interval;
    }

    private readonly PriorityQueue<PendingRequest, long> _due = new();
    private readonly Lock _dueLock = new();
    private long _createIndex;
    private long _created;
    private long _live;

    private void Schedule(PendingRequest request, long due)
    {
        lock (_dueLock)
        {
            _due.Enqueue(request, due);
        }
    }

    private async Task<RunOutcome> RunPollingAsync(CancellationToken userStop)
    {
        _device!.CountUnmatched = false; // notifications are acknowledged, never called back
        using var stopCreating = new CancellationTokenSource();
        using var stopPolling = new CancellationTokenSource();
        using var abort = new CancellationTokenSource();
        using var progressStop = new CancellationTokenSource();
        using var userStopRegistration = userStop.Register(stopCreating.Cancel);

        var setup = new RunMetrics();
        SetPhase("setup", setup);
        Progress($"creating {_options.Pending} pending requests (requested_expiry {_options.EffectiveRequestedExpiry} s) at concurrency {_options.Concurrency}");
        var progress = ProgressLoopAsync(progressStop.Token);

        // Pollers start with the creators: the first requests fall due while later ones are still being created.
        var pollers = new Task[_options.Concurrency];
        for (var i = 0; i < pollers.Length; i++)
        {
            pollers[i] = Task.Run(() => PollLoopAsync(stopPolling.Token, abort.Token), CancellationToken.None);
        }

        var setupStart = Clock.Now;
        var creators = new Task[_options.Concurrency];
        for (var i = 0; i < creators.Length; i++)
        {
            creators[i] = Task.Run(() => CreateLoopAsync(stopCreating.Token, abort.Token), CancellationToken.None);
        }

        await Task.WhenAll(creators).ConfigureAwait(false);
        var setupSeconds = Clock.Seconds(Clock.Now - setupStart);
        Progress($"created {Volatile.Read(ref _created)} of {_options.Pending} in {setupSeconds:0.0} s");

        RunOutcome outcome;
        if (Volatile.Read(ref _created) == 0 || userStop.IsCancellationRequested)
        {
            outcome = new RunOutcome { Measured = new RunMetrics(), MeasuredSeconds = 0, Interrupted = userStop.IsCancellationRequested, Setup = setup, SetupSeconds = setupSeconds, PendingCreated = Volatile.Read(ref _created) };
        }
        else
        {
            outcome = await WarmupAndMeasureAsync(userStop, setup, setupSeconds, () => Volatile.Read(ref _created), () => Volatile.Read(ref _live)).ConfigureAwait(false);
        }

        await StopAsync(stopPolling, abort, pollers).ConfigureAwait(false);
        await progressStop.CancelAsync().ConfigureAwait(false);
        await progress.ConfigureAwait(false);
        return outcome;
    }

    private async Task CreateLoopAsync(CancellationToken stop, CancellationToken abort)
    {
        var buffers = new WorkerBuffers();
        while (!stop.IsCancellationRequested && Interlocked.Increment(ref _createIndex) <= _options.Pending)
        {
            var bindingMessage = NextBindingMessage(out var n);
            var start = Clock.Now;
            ProviderResponse bc;
            try
            {
                bc = await _client.BcAuthorizeAsync(buffers, n, bindingMessage, abort).ConfigureAwait(false);
            }
            catch (Exception ex) when (!abort.IsCancellationRequested)
            {
                var m = _hub.Current;
                m.BcAuthorize.RecordFailure();
                m.Error($"bc-authorize: {ExceptionKind.Describe(ex)}");
                continue;
            }

            var answered = Clock.Now;
            var metrics = _hub.Current;
            var ok = bc.Status == 200 && !string.IsNullOrEmpty(bc.Answer.AuthReqId);
            metrics.BcAuthorize.Record(answered - start, ok);
            if (!ok)
            {
                metrics.Error("bc-authorize: " + bc.Describe());
                continue;
            }

            Interlocked.Increment(ref _created);
            Interlocked.Increment(ref _live);
            var interval = bc.Answer.Interval > 0 ? bc.Answer.Interval : 5;
            Schedule(new PendingRequest(_client.BuildTokenForm(bc.Answer.AuthReqId!), interval), answered + Clock.FromTimeSpan(TimeSpan.FromSeconds(interval)));
        }
    }

    private async Task PollLoopAsync(CancellationToken stop, CancellationToken abort)
    {
        var buffers = new WorkerBuffers();
        var idle = Clock.FromTimeSpan(TimeSpan.FromMilliseconds(20));
        while (!stop.IsCancellationRequested)
        {
            PendingRequest? request = null;
            long due = 0, wait = idle;
            lock (_dueLock)
            {
                if (_due.TryPeek(out var head, out due))
                {
                    var now = Clock.Now;
                    if (due <= now)
                    {
                        _due.Dequeue();
                        request = head;
                    }
                    else
                    {
                        wait = Math.Min(due - now, idle);
                    }
                }
            }

            if (request is null)
            {
                try
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(Math.Max(1, Clock.TicksToMicros(wait) / 1000.0)), stop).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                continue;
            }

            var start = Clock.Now;
            _hub.Current.PollLag.Record(start - due, ok: true);
            ProviderResponse token;
            try
            {
                token = await _client.TokenAsync(buffers, request.TokenForm, abort).ConfigureAwait(false);
            }
            catch (Exception ex) when (!abort.IsCancellationRequested)
            {
                var m = _hub.Current;
                m.Token.RecordFailure();
                m.CountTokenOther();
                m.Error($"token: {ExceptionKind.Describe(ex)}");
                Schedule(request, Clock.Now + Clock.FromTimeSpan(TimeSpan.FromSeconds(request.Interval)));
                continue;
            }
            catch (OperationCanceledException)
            {
                return;
            }

            var end = Clock.Now;
            var metrics = _hub.Current;
            switch (token.Answer.Error)
            {
                case "authorization_pending" when token.Status == 400:
                    metrics.Token.Record(end - start, ok: true);
                    metrics.CountTokenPending();
                    break;
                case "slow_down" when token.Status == 400:
                    metrics.Token.Record(end - start, ok: true);
                    metrics.CountTokenSlowDown();
                    request.Interval += 5; // CIBA Core 11 / RFC 8628 3.5: from now on, 5 s more
                    break;
                default:
                    metrics.Token.Record(end - start, ok: false);
                    metrics.CountTokenOther();
                    metrics.Error(token.Status == 200 ? "token: HTTP 200 (tokens issued for a request nobody approved)" : "token: " + token.Describe());
                    if (token.Status == 200 || token.Answer.Error is "expired_token" or "access_denied" or "invalid_grant")
                    {
                        Interlocked.Decrement(ref _live); // the request is over: stop polling it
                        continue;
                    }

                    break;
            }

            Schedule(request, end + Clock.FromTimeSpan(TimeSpan.FromSeconds(request.Interval)));
        }
    }

    // ------------------------------------------------------------------------------------------------
    // endpoint: one endpoint, as fast as the loops go
    // ------------------------------------------------------------------------------------------------

    private async Task<RunOutcome> RunEndpointAsync(CancellationToken userStop)
    {
        if (_device is not null)
        {
            _device.CountUnmatched = false;
        }

        using var stopNew = new CancellationTokenSource();
        using var abort = new CancellationTokenSource();
        using var progressStop = new CancellationTokenSource();
        var progress = ProgressLoopAsync(progressStop.Token);

        var loops = new Task[_options.Concurrency];
        for (var i = 0; i < loops.Length; i++)
        {
            loops[i] = Task.Run(() => EndpointLoopAsync(stopNew.Token, abort.Token), CancellationToken.None);
        }

        var outcome = await WarmupAndMeasureAsync(userStop).ConfigureAwait(false);
        await StopAsync(stopNew, abort, loops).ConfigureAwait(false);
        await progressStop.CancelAsync().ConfigureAwait(false);
        await progress.ConfigureAwait(false);
        return outcome;
    }

    private async Task EndpointLoopAsync(CancellationToken stop, CancellationToken abort)
    {
        var buffers = new WorkerBuffers();
        var discovery = _options.Endpoint == TargetEndpoint.Discovery;
        var name = discovery ? "discovery" : "bc-authorize";
        while (!stop.IsCancellationRequested)
        {
            var start = Clock.Now;
            bool ok;
            string? problem = null;
            try
            {
                if (discovery)
                {
                    var status = await _client.GetDiscoveryAsync(buffers, abort).ConfigureAwait(false);
                    ok = status == 200;
                    problem = ok ? null : $"HTTP {status}";
                }
                else
                {
                    var bindingMessage = NextBindingMessage(out var n);
                    var bc = await _client.BcAuthorizeAsync(buffers, n, bindingMessage, abort).ConfigureAwait(false);
                    ok = bc.Status == 200 && !string.IsNullOrEmpty(bc.Answer.AuthReqId);
                    problem = ok ? null : bc.Describe();
                }
            }
            catch (Exception ex) when (!abort.IsCancellationRequested)
            {
                var m = _hub.Current;
                (discovery ? m.Discovery : m.BcAuthorize).RecordFailure();
                m.Error($"{name}: {ExceptionKind.Describe(ex)}");
                continue;
            }
            catch (OperationCanceledException)
            {
                return;
            }

            var metrics = _hub.Current;
            (discovery ? metrics.Discovery : metrics.BcAuthorize).Record(Clock.Now - start, ok);
            if (problem is not null)
            {
                metrics.Error($"{name}: {problem}");
            }
        }
    }
}
