using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Backchannel.IntegrationTests.Infrastructure;

/// <summary>A call the notification receiver got.</summary>
internal sealed record ReceivedCall(string Path, string? Authorization, JsonElement Body)
{
    public string? AuthReqId => Body.ValueKind == JsonValueKind.Object && Body.TryGetProperty("auth_req_id", out var id) ? id.GetString() : null;
}

/// <summary>
/// A client's notification endpoint for ping and push (a real Kestrel server on loopback, HTTP or HTTPS): records every
/// call and answers with statuses the test scripts (e.g. 500, 500, then 204; 401; a 301 to another path).
/// </summary>
internal sealed class NotificationReceiver : IAsyncDisposable
{
    public const string Path = "/cb";
    public const string RedirectTargetPath = "/elsewhere";

    private readonly WebApplication _app;
    private readonly List<ReceivedCall> _calls = [];
    private readonly SemaphoreSlim _arrived = new(0);
    private readonly ConcurrentQueue<int> _script = new();
    private readonly ConcurrentDictionary<string, ConcurrentQueue<int>> _scriptFor = new();

    private NotificationReceiver(WebApplication app, string baseUrl)
    {
        _app = app;
        BaseUrl = baseUrl;
    }

    public string BaseUrl { get; }

    public string Endpoint => BaseUrl + Path;

    public ConcurrentQueue<ReceivedCall> All { get; } = new();

    public static async Task<NotificationReceiver> StartAsync(int port, X509Certificate2? certificate = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Configuration.Sources.Clear();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, port, listen =>
        {
            if (certificate is not null)
            {
                listen.UseHttps(certificate);
            }
        }));
        var app = builder.Build();
        var receiver = new NotificationReceiver(app, $"{(certificate is null ? "http" : "https")}://127.0.0.1:{port}");
        app.MapPost(Path, receiver.HandleAsync);
        app.MapPost(RedirectTargetPath, receiver.HandleAsync);
        await app.StartAsync();
        return receiver;
    }

    /// <summary>The next calls are answered with these statuses; then 204 (301 answers carry a Location).</summary>
    public void AnswerNext(params int[] statuses)
    {
        foreach (var status in statuses)
        {
            _script.Enqueue(status);
        }
    }

    /// <summary>The next calls for this auth_req_id are answered with these statuses (before the ones of <see cref="AnswerNext"/>).</summary>
    public void AnswerFor(string authReqId, params int[] statuses)
    {
        var script = _scriptFor.GetOrAdd(authReqId, _ => new ConcurrentQueue<int>());
        foreach (var status in statuses)
        {
            script.Enqueue(status);
        }
    }

    /// <summary>How many calls for this auth_req_id arrived so far (taken or not).</summary>
    public int CallsFor(string authReqId) => All.Count(call => call.AuthReqId == authReqId);

    /// <summary>
    /// The oldest call not taken yet (that <paramref name="match"/> accepts), waiting for it if needed; with a
    /// <paramref name="clock"/>, the provider's clock moves on by a second every ~50 ms meanwhile, so that its outbox scan
    /// and retries run.
    /// </summary>
    public async Task<ReceivedCall> NextAsync(TimeSpan? timeout = null, Func<ReceivedCall, bool>? match = null, FakeTimeProvider? clock = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(15));
        while (true)
        {
            if (TryTake(out var call, match))
            {
                return call!;
            }

            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero)
            {
                throw new TimeoutException($"No (matching) notification arrived in time; calls so far: {All.Count}.");
            }

            // Several waits may look at once for different calls: look again at least every 50 ms.
            if (!await _arrived.WaitAsync(left < ClockSteps.StepPause ? left : ClockSteps.StepPause) && clock is not null)
            {
                await clock.StepAsync(TimeSpan.FromSeconds(1));
            }
        }
    }

    /// <summary>The next call carrying this auth_req_id (others stay for their tests); see <see cref="NextAsync"/> for <paramref name="clock"/>.</summary>
    public Task<ReceivedCall> ForAsync(string authReqId, TimeSpan? timeout = null, FakeTimeProvider? clock = null) =>
        NextAsync(timeout, call => call.AuthReqId == authReqId, clock);

    /// <summary>
    /// Whether another call for this auth_req_id arrives (or is there, not taken) while the provider's clock moves on by
    /// <paramref name="advanceBy"/> in steps over about <paramref name="realWindow"/> of real time (without a clock: whether
    /// one arrives within <paramref name="realWindow"/>).
    /// </summary>
    public async Task<bool> AnyMoreForWithinAsync(string authReqId, TimeSpan realWindow, FakeTimeProvider? clock, TimeSpan advanceBy)
    {
        bool Arrived()
        {
            lock (_calls)
            {
                return _calls.Exists(call => call.AuthReqId == authReqId);
            }
        }

        if (clock is null)
        {
            var deadline = DateTime.UtcNow + realWindow;
            while (!Arrived() && DateTime.UtcNow < deadline)
            {
                await Task.Delay(ClockSteps.StepPause);
            }
        }
        else
        {
            await clock.AdvanceInStepsAsync(advanceBy, realWindow, Arrived);

            // What the last step set off has its moment to arrive.
            await clock.StepAsync(TimeSpan.Zero);
            await Task.Delay(ClockSteps.StepPause);
        }

        return Arrived();
    }

    /// <summary>Whether any other call arrives (or is there, not taken) within <paramref name="wait"/> of real time.</summary>
    public async Task<bool> AnyMoreWithinAsync(TimeSpan wait)
    {
        var deadline = DateTime.UtcNow + wait;
        while (true)
        {
            lock (_calls)
            {
                if (_calls.Count > 0)
                {
                    return true;
                }
            }

            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero)
            {
                return false;
            }

            await _arrived.WaitAsync(left < ClockSteps.StepPause ? left : ClockSteps.StepPause);
        }
    }

    private bool TryTake(out ReceivedCall? call, Func<ReceivedCall, bool>? match)
    {
        lock (_calls)
        {
            var index = _calls.FindIndex(c => match?.Invoke(c) ?? true);
            call = index >= 0 ? _calls[index] : null;
            if (index >= 0)
            {
                _calls.RemoveAt(index);
            }

            return call is not null;
        }
    }

    private async Task HandleAsync(HttpContext context)
    {
        var body = await JsonSerializer.DeserializeAsync<JsonElement>(context.Request.Body);
        var call = new ReceivedCall(context.Request.Path, context.Request.Headers.Authorization.ToString(), body);
        All.Enqueue(call);
        lock (_calls)
        {
            _calls.Add(call);
        }

        _arrived.Release();

        var status = call.AuthReqId is { } id && _scriptFor.TryGetValue(id, out var script) && script.TryDequeue(out var scriptedFor) ? scriptedFor
            : _script.TryDequeue(out var scripted) ? scripted : StatusCodes.Status204NoContent;
        context.Response.StatusCode = status;
        if (status is 301 or 302 or 307 or 308)
        {
            context.Response.Headers.Location = BaseUrl + RedirectTargetPath;
        }
        else if (status == 200)
        {
            await context.Response.WriteAsync("{\"ignored\":\"a body the provider must ignore\"}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
