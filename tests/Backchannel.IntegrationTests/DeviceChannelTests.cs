using System.Diagnostics;
using System.Net;
using Backchannel.IntegrationTests.Infrastructure;

namespace Backchannel.IntegrationTests;

/// <summary>
/// The http device channel: off the request path, retried on transient failures, and callbacks authenticated. One
/// provider for the class (scripts and counts of the device service are per binding message), on a clock the tests advance.
/// </summary>
public class DeviceChannelTests(SharedProvider shared) : IClassFixture<SharedProvider>
{
    private static string NewBindingMessage() => "device " + Guid.NewGuid().ToString("N")[..8];

    [Fact]
    public async Task The_client_never_waits_for_the_device_service_and_a_failing_service_is_retried_until_it_answers()
    {
        var provider = shared.Provider;
        var bindingMessage = NewBindingMessage();
        provider.Device.AnswerNextFor(bindingMessage, 503, 500);

        var watch = Stopwatch.StartNew();
        var authorization = await provider.AuthorizeAsync(bindingMessage: bindingMessage);
        Assert.False(authorization.IsError, authorization.Raw);
        Assert.True(watch.ElapsedMilliseconds < 2000, $"bc-authorize took {watch.ElapsedMilliseconds} ms");

        // The retries come when the clock reaches them.
        var notification = await provider.Device.ForAsync(bindingMessage, TimeSpan.FromSeconds(10), provider.FakeTime);
        Assert.Equal(3, provider.Device.CallsFor(bindingMessage));
        Assert.Equal(HttpStatusCode.NoContent, (await provider.Device.ApproveAsync(notification)).StatusCode);
        Assert.False((await provider.RedeemAsync(authorization.AuthenticationRequestId!)).IsError);
    }

    [Fact]
    public async Task A_device_service_that_is_down_does_not_fail_the_request()
    {
        var device = await FakeDeviceService.StartAsync();
        var url = device.NotifyUrl;
        await device.DisposeAsync();

        // Its own provider: the device service's URL differs.
        await using var provider = await TestProvider.StartAsync(new Dictionary<string, string?> { ["Backchannel:Channels:Http:Url"] = url },
            time: new TestClock());
        var authorization = await provider.AuthorizeAsync();
        Assert.False(authorization.IsError, authorization.Raw);
        Assert.Equal("authorization_pending", (await provider.RedeemAsync(authorization.AuthenticationRequestId!)).Error);
    }

    [Fact]
    public async Task A_device_service_that_refuses_the_request_fails_it_at_once()
    {
        var provider = shared.Provider;
        var bindingMessage = NewBindingMessage();
        provider.Device.AnswerNextFor(bindingMessage, 404);

        var authorization = await provider.AuthorizeAsync(bindingMessage: bindingMessage);
        var deadline = DateTime.UtcNow.AddSeconds(5);
        string? error;
        while (true)
        {
            error = (await provider.RedeemAsync(authorization.AuthenticationRequestId!)).Error;
            if (error is not ("authorization_pending" or "slow_down") || DateTime.UtcNow >= deadline)
            {
                break;
            }

            // The next poll one interval (1 s) later on the provider's clock.
            await Task.Delay(ClockSteps.StepPause);
            await provider.FakeTime.StepAsync(TimeSpan.FromSeconds(1));
        }

        Assert.Equal("access_denied", error);

        // Never retried, even when the clock passes every retry delay.
        await provider.FakeTime.AdvanceInStepsAsync(TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(500));
        await provider.FakeTime.StepAsync(TimeSpan.Zero);
        Assert.Equal(1, provider.Device.CallsFor(bindingMessage));
    }

    [Fact]
    public async Task Callbacks_without_a_genuine_token_or_with_a_bad_body_are_refused()
    {
        var provider = shared.Provider;
        await provider.AuthorizeAsync();
        var notification = await provider.LastNotificationAsync();

        var forged = TestJwts.Sign(TestKey.EllipticCurve(), new Dictionary<string, object>
        {
            ["iss"] = provider.Issuer, ["aud"] = notification.CallbackUrl, ["sub"] = notification.TransactionId,
            ["exp"] = provider.Time.GetUtcNow().AddMinutes(1).ToUnixTimeSeconds(),
        });
        Assert.Equal(HttpStatusCode.Unauthorized, (await provider.Device.DecideAsync(notification, new { status = "approved" }, forged)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await provider.Device.DecideAsync(notification, new { status = "approved" }, "garbage")).StatusCode);

        // The bare transaction id (or auth_req_id) is not a credential.
        Assert.Equal(HttpStatusCode.Unauthorized, (await provider.Device.DecideAsync(notification, new { status = "approved" }, notification.TransactionId)).StatusCode);

        var badBody = await provider.Device.DecideAsync(notification, new { status = "maybe" });
        Assert.Equal(HttpStatusCode.BadRequest, badBody.StatusCode);
        Assert.Contains("invalid_request", await badBody.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.NoContent, (await provider.Device.ApproveAsync(notification)).StatusCode);
    }
}
