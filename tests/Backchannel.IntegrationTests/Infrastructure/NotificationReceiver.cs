using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

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
    private readonly Channel<ReceivedCall> _calls = Channel.CreateUnbounded<ReceivedCall>();
    private readonly ConcurrentQueue<int> _script = new();

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

    public async Task<ReceivedCall> NextAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(15));
        try
        {
            return await _calls.Reader.ReadAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"No notification arrived in time; calls so far: {All.Count}.");
        }
    }

    /// <summary>Whether another call arrives within <paramref name="wait"/>.</summary>
    public async Task<bool> AnyMoreWithinAsync(TimeSpan wait)
    {
        using var cts = new CancellationTokenSource(wait);
        try
        {
            return await _calls.Reader.WaitToReadAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private async Task HandleAsync(HttpContext context)
    {
        var body = await JsonSerializer.DeserializeAsync<JsonElement>(context.Request.Body);
        var call = new ReceivedCall(context.Request.Path, context.Request.Headers.Authorization.ToString(), body);
        All.Enqueue(call);
        await _calls.Writer.WriteAsync(call);

        var status = _script.TryDequeue(out var scripted) ? scripted : StatusCodes.Status204NoContent;
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
