using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Backchannel.IntegrationTests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Backchannel.IntegrationTests.Hardening;

/// <summary>
/// Issue 16, item 9: a recorded approval is final. The device service here approves each request through the callback
/// while the provider's notification is still open, and then answers that notification with a 4xx; the request must
/// stay approved (only a pending request can fail). One provider for the class, with ping and push test clients, on a
/// clock the tests advance.
/// </summary>
public sealed class ApprovalFinalityTests(ApprovalFinalityTests.Fixture shared) : IClassFixture<ApprovalFinalityTests.Fixture>
{
    /// <summary>The provider's device channel is <see cref="ApproveThenRefuseDevice"/>; its ping client notifies a <see cref="NotificationReceiver"/>.</summary>
    public sealed class Fixture : SharedNotifyingProvider
    {
        private ApproveThenRefuseDevice? _device;

        internal ApproveThenRefuseDevice Device => _device ?? throw new InvalidOperationException("The device service is not started.");

        protected override Dictionary<string, string?> Settings()
        {
            var settings = base.Settings();
            settings["Backchannel:Channels:Http:Url"] = Device.NotifyUrl;
            return settings;
        }

        public override async Task InitializeAsync()
        {
            _device = await ApproveThenRefuseDevice.StartAsync(FreePort.Next());
            await base.InitializeAsync();
        }

        public override async Task DisposeAsync()
        {
            await base.DisposeAsync();
            if (_device is not null)
            {
                await _device.DisposeAsync();
            }
        }
    }

    /// <summary>
    /// A device service that, for each notification, first approves through the callback (and waits for the provider's
    /// answer), then answers the notification itself with 400.
    /// </summary>
    internal sealed class ApproveThenRefuseDevice : IAsyncDisposable
    {
        private readonly WebApplication _app;
        private readonly HttpClient _http = new();
        private readonly ConcurrentDictionary<string, TaskCompletionSource<HttpStatusCode>> _handled = new();

        private ApproveThenRefuseDevice(WebApplication app, string notifyUrl)
        {
            _app = app;
            NotifyUrl = notifyUrl;
        }

        public string NotifyUrl { get; }

        public static async Task<ApproveThenRefuseDevice> StartAsync(int port)
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.Configuration.Sources.Clear();
            builder.Logging.ClearProviders();
            builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, port));
            var app = builder.Build();
            var device = new ApproveThenRefuseDevice(app, $"http://127.0.0.1:{port}/notify");
            app.MapPost("/notify", device.HandleAsync);
            await app.StartAsync();
            return device;
        }

        /// <summary>How the provider answered the approval of the request with this binding message, once the device refused its notification.</summary>
        public Task<HttpStatusCode> HandledAsync(string bindingMessage) =>
            _handled.GetOrAdd(bindingMessage, _ => new(TaskCreationOptions.RunContinuationsAsynchronously)).Task.WaitAsync(TimeSpan.FromSeconds(15));

        private async Task HandleAsync(HttpContext context)
        {
            var body = await JsonSerializer.DeserializeAsync<JsonElement>(context.Request.Body);
            using var approval = new HttpRequestMessage(HttpMethod.Post, body.GetProperty("callback_url").GetString())
            {
                Content = JsonContent.Create(new { status = "approved" }),
            };
            approval.Headers.Authorization = new AuthenticationHeaderValue("Bearer", body.GetProperty("callback_token").GetString());
            using var answer = await _http.SendAsync(approval);

            // The approval is recorded; now the device service turns the notification down.
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            await context.Response.CompleteAsync();
            _handled.GetOrAdd(body.GetProperty("binding_message").GetString()!, _ => new(TaskCreationOptions.RunContinuationsAsynchronously))
                .TrySetResult(answer.StatusCode);
        }

        public async ValueTask DisposeAsync()
        {
            _http.Dispose();
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }

    private static string NewBindingMessage() => "final " + Guid.NewGuid().ToString("N")[..8];

    /// <summary>Waits until the provider has finished with every notification (the refused one included: its give-up has run).</summary>
    private static async Task SettledAsync(TestProvider provider)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!await provider.IsSettledAsync())
        {
            Assert.True(DateTime.UtcNow < deadline, "the provider did not finish with its notifications");
            await Task.Delay(ClockSteps.StepPause);
        }
    }

    [Fact]
    public async Task A_poll_client_gets_tokens_when_the_device_service_refuses_the_notification_after_approving()
    {
        var provider = shared.Provider;
        var bindingMessage = NewBindingMessage();

        var authorization = await provider.AuthorizeAsync(bindingMessage: bindingMessage);
        Assert.False(authorization.IsError, authorization.Raw);
        Assert.Equal(HttpStatusCode.NoContent, await shared.Device.HandledAsync(bindingMessage));
        await SettledAsync(provider);

        var tokens = await provider.RedeemAsync(authorization.AuthenticationRequestId!);
        Assert.False(tokens.IsError, $"{tokens.Error}: {tokens.ErrorDescription}");
        await TokenAssertions.ValidateIdTokenAsync(provider, tokens.IdentityToken!, TestClients.Poll);
    }

    [Fact]
    public async Task A_ping_client_is_pinged_once_and_gets_tokens_when_the_device_service_refuses_the_notification_after_approving()
    {
        var (provider, receiver) = (shared.Provider, shared.Receiver);
        var bindingMessage = NewBindingMessage();

        var authorization = await provider.AuthorizeAsync(bindingMessage: bindingMessage, clientId: TestClients.Ping, clientSecret: TestClients.PingSecret,
            configure: r => r.ClientNotificationToken = TestClients.NewNotificationToken());
        Assert.False(authorization.IsError, authorization.Raw);
        Assert.Equal(HttpStatusCode.NoContent, await shared.Device.HandledAsync(bindingMessage));

        var ping = await receiver.ForAsync(authorization.AuthenticationRequestId!);
        Assert.Equal(authorization.AuthenticationRequestId, ping.AuthReqId);
        await SettledAsync(provider);

        // Nothing more for this request, however long the clock runs.
        Assert.False(await receiver.AnyMoreForWithinAsync(authorization.AuthenticationRequestId!, TimeSpan.FromSeconds(1), provider.FakeTime,
            TimeSpan.FromSeconds(75)), "the ping client was notified a second time");
        Assert.Equal(1, receiver.CallsFor(authorization.AuthenticationRequestId!));

        var tokens = await provider.RedeemAsync(authorization.AuthenticationRequestId!, TestClients.Ping, TestClients.PingSecret);
        Assert.False(tokens.IsError, $"{tokens.Error}: {tokens.ErrorDescription}");
    }
}
