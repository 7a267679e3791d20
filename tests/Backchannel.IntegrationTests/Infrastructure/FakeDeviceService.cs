using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Backchannel.IntegrationTests.Infrastructure;

/// <summary>A notification the device service received.</summary>
internal sealed record ReceivedNotification(JsonElement Body, string? Authorization)
{
    public string TransactionId => Body.GetProperty("transaction_id").GetString()!;
    public string CallbackUrl => Body.GetProperty("callback_url").GetString()!;
    public string CallbackToken => Body.GetProperty("callback_token").GetString()!;
    public string? BindingMessage => Body.TryGetProperty("binding_message", out var message) && message.ValueKind == JsonValueKind.String ? message.GetString() : null;
}

/// <summary>
/// An external HTTP device service on loopback (a real Kestrel server): records every notification, answers with the
/// status the test chooses, and approves or denies through the provider's callback like a real device would.
/// </summary>
internal sealed class FakeDeviceService : IAsyncDisposable
{
    public const string Token = "device-service-secret";

    private readonly WebApplication _app;
    private readonly List<ReceivedNotification> _received = [];
    private readonly SemaphoreSlim _arrived = new(0);
    private readonly Queue<int> _scriptedStatuses = new();
    private readonly Dictionary<string, Queue<int>> _scriptedFor = new();
    private readonly System.Collections.Concurrent.ConcurrentQueue<ReceivedNotification> _all = new();
    private readonly HttpClient _http = new();

    private FakeDeviceService(WebApplication app) => _app = app;

    public string NotifyUrl { get; private set; } = "";

    /// <summary>When set, every notification is approved (or denied) through the callback as soon as it arrives.</summary>
    public string? AutoDecision { get; set; }

    public int Calls;

    public static async Task<FakeDeviceService> StartAsync(int port = 0)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Configuration.Sources.Clear();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, port));
        var app = builder.Build();
        var service = new FakeDeviceService(app);
        app.MapPost("/notify", service.HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        service.NotifyUrl = address + "/notify";
        return service;
    }

    /// <summary>The next notifications are answered with these statuses (then 204 again).</summary>
    public void AnswerNext(params int[] statuses)
    {
        lock (_scriptedStatuses)
        {
            foreach (var status in statuses)
            {
                _scriptedStatuses.Enqueue(status);
            }
        }
    }

    /// <summary>The next notifications of the request with this binding message are answered with these statuses (before those of <see cref="AnswerNext"/>).</summary>
    public void AnswerNextFor(string bindingMessage, params int[] statuses)
    {
        lock (_scriptedStatuses)
        {
            if (!_scriptedFor.TryGetValue(bindingMessage, out var script))
            {
                _scriptedFor[bindingMessage] = script = new Queue<int>();
            }

            foreach (var status in statuses)
            {
                script.Enqueue(status);
            }
        }
    }

    /// <summary>How many notifications of the request with this binding message arrived, whatever they were answered.</summary>
    public int CallsFor(string bindingMessage) => _all.Count(n => n.BindingMessage == bindingMessage);

    /// <summary>
    /// The oldest notification not taken yet (that <paramref name="match"/> accepts), waiting for it if needed; with a
    /// <paramref name="clock"/>, the provider's clock moves on by a second every ~50 ms meanwhile, so that retries run.
    /// </summary>
    public async Task<ReceivedNotification> NextAsync(TimeSpan? timeout = null, Func<ReceivedNotification, bool>? match = null,
        FakeTimeProvider? clock = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(10));
        while (true)
        {
            if (TryTake(out var notification, match))
            {
                return notification!;
            }

            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero)
            {
                throw new TimeoutException("The device service received no (matching) notification in time.");
            }

            // Several tests may wait at once for different notifications: look again at least every 50 ms.
            if (!await _arrived.WaitAsync(left < ClockSteps.StepPause ? left : ClockSteps.StepPause) && clock is not null)
            {
                await clock.StepAsync(TimeSpan.FromSeconds(1));
            }
        }
    }

    /// <summary>The notification of the request with this binding message (others stay for their tests).</summary>
    public Task<ReceivedNotification> ForAsync(string bindingMessage, TimeSpan? timeout = null, FakeTimeProvider? clock = null) =>
        NextAsync(timeout, n => n.BindingMessage == bindingMessage, clock);

    public bool TryTake(out ReceivedNotification? notification, Func<ReceivedNotification, bool>? match = null)
    {
        lock (_received)
        {
            var index = _received.FindIndex(n => match?.Invoke(n) ?? true);
            notification = index >= 0 ? _received[index] : null;
            if (index >= 0)
            {
                _received.RemoveAt(index);
            }

            return notification is not null;
        }
    }

    public Task<HttpResponseMessage> ApproveAsync(ReceivedNotification notification, string? acr = null, string[]? amr = null) =>
        DecideAsync(notification, new { status = "approved", acr, amr });

    public Task<HttpResponseMessage> DenyAsync(ReceivedNotification notification) => DecideAsync(notification, new { status = "denied" });

    /// <summary>Waits for the next notification and approves it; the provider must answer 204.</summary>
    public async Task ApproveNextAsync()
    {
        using var response = await ApproveAsync(await NextAsync());
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
    }

    /// <summary>Waits for the next notification and denies it; the provider must answer 204.</summary>
    public async Task DenyNextAsync()
    {
        using var response = await DenyAsync(await NextAsync());
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
    }

    public Task<HttpResponseMessage> DecideAsync(ReceivedNotification notification, object body, string? token = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, notification.CallbackUrl) { Content = JsonContent.Create(body) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token ?? notification.CallbackToken);
        return _http.SendAsync(request);
    }

    private async Task HandleAsync(HttpContext context)
    {
        Interlocked.Increment(ref Calls);
        var body = await JsonSerializer.DeserializeAsync<JsonElement>(context.Request.Body);
        var notification = new ReceivedNotification(body, context.Request.Headers.Authorization.ToString());
        _all.Enqueue(notification);
        int status;
        lock (_scriptedStatuses)
        {
            status = notification.BindingMessage is { } message && _scriptedFor.TryGetValue(message, out var script) && script.Count > 0
                ? script.Dequeue()
                : _scriptedStatuses.Count > 0 ? _scriptedStatuses.Dequeue() : (int)HttpStatusCode.NoContent;
        }

        context.Response.StatusCode = status;
        if (status >= 300)
        {
            return;
        }

        if (AutoDecision is { } decision)
        {
            // Like a device: answer the notification first, call back a moment later, and again while the provider (or
            // the balancer in front of it) does not answer or answers 5xx.
            _ = Task.Run(async () =>
            {
                for (var attempt = 0; attempt < 120; attempt++)
                {
                    try
                    {
                        using var answer = await DecideAsync(notification, new { status = decision });
                        if ((int)answer.StatusCode < 500)
                        {
                            return;
                        }
                    }
                    catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
                    {
                        // No answer: try again.
                    }

                    await Task.Delay(250);
                }
            });
        }

        lock (_received)
        {
            _received.Add(notification);
        }

        _arrived.Release();
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
