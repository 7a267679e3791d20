using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Backchannel.IntegrationTests.Infrastructure;

/// <summary>A notification the device service received.</summary>
internal sealed record ReceivedNotification(JsonElement Body, string? Authorization)
{
    public string TransactionId => Body.GetProperty("transaction_id").GetString()!;
    public string CallbackUrl => Body.GetProperty("callback_url").GetString()!;
    public string CallbackToken => Body.GetProperty("callback_token").GetString()!;
    public string? BindingMessage => Body.GetProperty("binding_message").ValueKind == JsonValueKind.String ? Body.GetProperty("binding_message").GetString() : null;
}

/// <summary>
/// An external HTTP device service on loopback (a real Kestrel server): records every notification, answers with the
/// status the test chooses, and approves or denies through the provider's callback like a real device would.
/// </summary>
internal sealed class FakeDeviceService : IAsyncDisposable
{
    public const string Token = "device-service-secret";

    private readonly WebApplication _app;
    private readonly Channel<ReceivedNotification> _received = Channel.CreateUnbounded<ReceivedNotification>();
    private readonly Queue<int> _scriptedStatuses = new();
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

    public async Task<ReceivedNotification> NextAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(10));
        try
        {
            return await _received.Reader.ReadAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException("The device service received no notification in time.");
        }
    }

    public bool TryTake(out ReceivedNotification? notification) => _received.Reader.TryRead(out notification);

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
        int status;
        lock (_scriptedStatuses)
        {
            status = _scriptedStatuses.Count > 0 ? _scriptedStatuses.Dequeue() : (int)HttpStatusCode.NoContent;
        }

        var body = await JsonSerializer.DeserializeAsync<JsonElement>(context.Request.Body);
        context.Response.StatusCode = status;
        if (status >= 300)
        {
            return;
        }

        var notification = new ReceivedNotification(body, context.Request.Headers.Authorization.ToString());
        if (AutoDecision is { } decision)
        {
            // Like a device: answer the notification first, call back a moment later.
            _ = Task.Run(async () => await DecideAsync(notification, new { status = decision }));
        }

        await _received.Writer.WriteAsync(notification);
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
