using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Backchannel.IntegrationTests.Infrastructure;

/// <summary>A request the fake FCM server received, as it arrived.</summary>
internal sealed record ReceivedHttpRequest(string Method, string Path, string? Authorization, string? ContentType, byte[] Body)
{
    public string Text => System.Text.Encoding.UTF8.GetString(Body);
}

/// <summary>
/// A stand-in for Google on loopback, over HTTPS with a certificate of a throw-away CA: the OAuth token endpoint of a
/// service account (<c>POST /token</c>) and FCM's HTTP v1 send API (<c>POST /v1/projects/{project}/messages:send</c>).
/// It records every request as it came and answers as Google documents (or with the statuses a test scripts).
/// </summary>
internal sealed class FakeFcmServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<int> _sendStatuses = new();
    private int _issued;

    private FakeFcmServer(WebApplication app, TestCertificates certificates, int port)
    {
        _app = app;
        Certificates = certificates;
        BaseUrl = $"https://127.0.0.1:{port}";
    }

    public TestCertificates Certificates { get; }

    public string BaseUrl { get; }

    public string TokenUri => BaseUrl + "/token";

    public ConcurrentQueue<ReceivedHttpRequest> TokenRequests { get; } = new();

    public ConcurrentQueue<ReceivedHttpRequest> SendRequests { get; } = new();

    /// <summary>The access tokens the token endpoint issued, in order.</summary>
    public ConcurrentQueue<string> IssuedTokens { get; } = new();

    public static async Task<FakeFcmServer> StartAsync(string directory)
    {
        var certificates = TestCertificates.Create(directory);
        var port = FreePort.Next();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Configuration.Sources.Clear();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, port, listen => listen.UseHttps(certificates.Server)));
        var app = builder.Build();
        var server = new FakeFcmServer(app, certificates, port);
        app.MapPost("/token", server.TokenAsync);
        app.MapPost("/v1/projects/{project}/messages:send", server.SendAsync);
        await app.StartAsync();
        return server;
    }

    /// <summary>The next sends are answered with these statuses (then 200 again).</summary>
    public void AnswerNextSends(params int[] statuses)
    {
        foreach (var status in statuses)
        {
            _sendStatuses.Enqueue(status);
        }
    }

    /// <summary>Waits until <paramref name="count"/> sends arrived.</summary>
    public async Task WaitForSendsAsync(int count, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(15));
        while (SendRequests.Count < count)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{SendRequests.Count} of {count} FCM sends arrived.");
            }

            await Task.Delay(20);
        }
    }

    private async Task TokenAsync(HttpContext context)
    {
        TokenRequests.Enqueue(await ReadAsync(context));
        var token = $"ya29.test-access-token-{Interlocked.Increment(ref _issued)}";
        IssuedTokens.Enqueue(token);
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync($$"""{"access_token":"{{token}}","expires_in":3599,"token_type":"Bearer"}""");
    }

    private async Task SendAsync(HttpContext context)
    {
        SendRequests.Enqueue(await ReadAsync(context));
        if (_sendStatuses.TryDequeue(out var status))
        {
            context.Response.StatusCode = status;
            return;
        }

        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync($$"""{"name":"projects/{{context.Request.RouteValues["project"]}}/messages/0:{{SendRequests.Count}}"}""");
    }

    private static async Task<ReceivedHttpRequest> ReadAsync(HttpContext context)
    {
        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body);
        return new ReceivedHttpRequest(context.Request.Method, context.Request.Path + context.Request.QueryString,
            context.Request.Headers.Authorization.ToString() is { Length: > 0 } authorization ? authorization : null,
            context.Request.ContentType, body.ToArray());
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
