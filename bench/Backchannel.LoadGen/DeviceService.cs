using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Backchannel.LoadGen;

/// <summary>
/// The authentication-device service: a Kestrel listener that receives the provider's
/// <c>POST /notify</c>, checks the bearer token, answers 204 at once and hands the notification to the
/// flow waiting for its binding_message (the flow then calls back). With no flow waiting it only counts it.
/// In ping and push runs the same listener also serves the client's notification endpoint, <c>POST /client-notify</c>
/// (<see cref="ClientNotifications"/>).
/// </summary>
public sealed class DeviceService : IAsyncDisposable
{
    private const long MaxBody = 64 * 1024;

    private readonly ConcurrentDictionary<string, TaskCompletionSource<JsonFields.DeviceNotification>> _waiters = new(StringComparer.Ordinal);
    private readonly MetricsHub _hub;
    private readonly string _path;
    private readonly string _expectedAuthorization;
    private readonly Uri _listen;
    private WebApplication? _app;

    public DeviceService(LoadGenOptions options, MetricsHub hub)
    {
        _hub = hub;
        _path = options.DevicePath;
        _expectedAuthorization = "Bearer " + options.DeviceToken;
        ClientNotifications = new ClientNotificationReceiver(options, hub);
        _listen = options.DeviceListen;
    }

    /// <summary>Whether a notification nobody waits for is worth reporting (flows mode) or expected (polling, endpoint).</summary>
    public bool CountUnmatched { get; set; }

    public async Task StartAsync(CancellationToken ct)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders();
        // Ctrl+C belongs to the generator (it ends the run and still reports), not to the web host.
        builder.Services.AddSingleton<IHostLifetime, QuietLifetime>();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = MaxBody;
            var port = _listen.Port;
            if (_listen.Host is "localhost")
            {
                kestrel.ListenLocalhost(port);
            }
            else if (_listen.Host is "0.0.0.0" or "*" or "+")
            {
                kestrel.ListenAnyIP(port);
            }
            else if (IPAddress.TryParse(_listen.DnsSafeHost, out var ip))
            {
                kestrel.Listen(ip, port);
            }
            else
            {
                throw new OptionsException($"--device-listen host must be an IP address or localhost (got '{_listen.Host}')");
            }
        });

        var app = builder.Build();
        app.Run(HandleAsync);
        try
        {
            await app.StartAsync(ct).ConfigureAwait(false);
        }
        catch (IOException ex)
        {
            await app.DisposeAsync().ConfigureAwait(false);
            throw new InvalidOperationException($"cannot listen on {_listen}: {ex.Message}", ex);
        }

        _app = app;
    }

    /// <summary>Registers interest in the notification carrying <paramref name="bindingMessage"/>; call before bc-authorize.</summary>
    public Task<JsonFields.DeviceNotification> Expect(string bindingMessage)
    {
        var tcs = new TaskCompletionSource<JsonFields.DeviceNotification>(TaskCreationOptions.RunContinuationsAsynchronously);
        _waiters[bindingMessage] = tcs;
        return tcs.Task;
    }

    public void Forget(string bindingMessage) => _waiters.TryRemove(bindingMessage, out _);

    /// <summary>The client's notification endpoint (ping and push runs), served by this listener.</summary>
    public ClientNotificationReceiver ClientNotifications { get; }

    private Task HandleAsync(HttpContext context)
    {
        var arrivedAt = Clock.Now;
        var request = context.Request;
        var path = request.Path.Value;
        var device = string.Equals(path, _path, StringComparison.Ordinal);
        if (!device && !string.Equals(path, LoadGenOptions.ClientNotificationPath, StringComparison.Ordinal))
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return Task.CompletedTask;
        }

        if (!HttpMethods.IsPost(request.Method))
        {
            context.Response.StatusCode = StatusCodes.Status405MethodNotAllowed;
            return Task.CompletedTask;
        }

        return device ? HandleDeviceNotificationAsync(context, arrivedAt) : ClientNotifications.HandleAsync(context, arrivedAt);
    }

    private async Task HandleDeviceNotificationAsync(HttpContext context, long arrivedAt)
    {
        var request = context.Request;
        var metrics = _hub.Current;
        if (!string.Equals(request.Headers.Authorization.ToString(), _expectedAuthorization, StringComparison.Ordinal))
        {
            metrics.CountNotificationUnauthorized();
            metrics.Error("notification: wrong or missing bearer device token (answered 401)");
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            return;
        }

        var notification = await RequestBody.ReadAsync(context, MaxBody, body => JsonFields.ParseNotification(body, arrivedAt)).ConfigureAwait(false);

        if (notification is null)
        {
            metrics.CountNotificationMalformed();
            metrics.Error("notification: body without callback_url/callback_token (answered 400)");
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            return;
        }

        metrics.CountNotificationReceived();
        // Answer at once; the waiting flow (if any) calls back on its own, after this response is sent.
        context.Response.StatusCode = StatusCodes.Status204NoContent;

        if (notification.BindingMessage is { } bindingMessage && _waiters.TryRemove(bindingMessage, out var waiter))
        {
            waiter.TrySetResult(notification);
        }
        else if (CountUnmatched)
        {
            metrics.CountNotificationUnmatched();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            try
            {
                await _app.StopAsync(cts.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // connections still open after 2 s are simply dropped
            }

            await _app.DisposeAsync().ConfigureAwait(false);
        }
    }

    private sealed class QuietLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
