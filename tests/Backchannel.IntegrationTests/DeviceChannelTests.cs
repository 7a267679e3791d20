using System.Diagnostics;
using System.Net;
using Backchannel.IntegrationTests.Infrastructure;

namespace Backchannel.IntegrationTests;

/// <summary>The http device channel: off the request path, retried on transient failures, and callbacks authenticated.</summary>
public class DeviceChannelTests
{
    [Fact]
    public async Task The_client_never_waits_for_the_device_service_and_a_failing_service_is_retried_until_it_answers()
    {
        await using var provider = await TestProvider.StartAsync();
        provider.Device.AnswerNext(503, 500);

        var watch = Stopwatch.StartNew();
        var authorization = await provider.AuthorizeAsync();
        Assert.False(authorization.IsError, authorization.Raw);
        Assert.True(watch.ElapsedMilliseconds < 2000, $"bc-authorize took {watch.ElapsedMilliseconds} ms");

        var notification = await provider.Device.NextAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(3, provider.Device.Calls);
        Assert.Equal(HttpStatusCode.NoContent, (await provider.Device.ApproveAsync(notification)).StatusCode);
        Assert.False((await provider.RedeemAsync(authorization.AuthenticationRequestId!)).IsError);
    }

    [Fact]
    public async Task A_device_service_that_is_down_does_not_fail_the_request()
    {
        var device = await FakeDeviceService.StartAsync();
        var url = device.NotifyUrl;
        await device.DisposeAsync();

        await using var provider = await TestProvider.StartAsync(new Dictionary<string, string?> { ["Backchannel:Channels:Http:Url"] = url });
        var authorization = await provider.AuthorizeAsync();
        Assert.False(authorization.IsError, authorization.Raw);
        Assert.Equal("authorization_pending", (await provider.RedeemAsync(authorization.AuthenticationRequestId!)).Error);
    }

    [Fact]
    public async Task A_device_service_that_refuses_the_request_fails_it_at_once()
    {
        await using var provider = await TestProvider.StartAsync();
        provider.Device.AnswerNext(404);

        var authorization = await provider.AuthorizeAsync();
        var deadline = DateTime.UtcNow.AddSeconds(5);
        string? error;
        do
        {
            await Task.Delay(200);
            error = (await provider.RedeemAsync(authorization.AuthenticationRequestId!)).Error;
        }
        while (error is "authorization_pending" or "slow_down" && DateTime.UtcNow < deadline);

        Assert.Equal("access_denied", error);
        Assert.Equal(1, provider.Device.Calls);
    }

    [Fact]
    public async Task Callbacks_without_a_genuine_token_or_with_a_bad_body_are_refused()
    {
        await using var provider = await TestProvider.StartAsync();
        await provider.AuthorizeAsync();
        var notification = await provider.Device.NextAsync();

        var forged = TestJwts.Sign(TestKey.EllipticCurve(), new Dictionary<string, object>
        {
            ["iss"] = provider.Issuer, ["aud"] = notification.CallbackUrl, ["sub"] = notification.TransactionId,
            ["exp"] = DateTimeOffset.UtcNow.AddMinutes(1).ToUnixTimeSeconds(),
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
